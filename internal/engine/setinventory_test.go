package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// TestSetInventoryAfterReading checks that an inventory given once the
// capture is read (as kubectl pcapcheck capture does while it streams)
// gives the same flows and summary as one given to New.
func TestSetInventoryAfterReading(t *testing.T) {
	const bookinfo = "../../fixtures/bookinfo/"
	inv, err := inventory.Load(bookinfo+"inventory", bookinfo+"after/shell5-istioctl.txt")
	require.NoError(t, err)
	read := func(opts Options, late *inventory.Inventory) *Result {
		src, err := capture.Open(bookinfo + "after/any.pcap")
		require.NoError(t, err)
		defer src.Close()
		a := New(opts)
		require.NoError(t, a.Run(context.Background(), src))
		if late != nil {
			a.SetInventory(late, nil)
		}
		return a.Result()
	}
	want := read(Options{Inventory: inv}, nil)
	got := read(Options{}, inv)
	assert.Equal(t, want.Report().Summary, got.Report().Summary, "(-want +got)")
	assert.Equal(t, slices.Collect(want.Flows()), slices.Collect(got.Flows()), "(-want +got)")
	var verdicts []report.Verdict
	for f := range got.Flows() {
		verdicts = append(verdicts, f.Verdict)
	}
	assert.Contains(t, verdicts, report.Passthrough)
}
