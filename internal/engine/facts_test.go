package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// TestInventoryWarningsOnce: the index's warnings begin with the
// inventory's own, and the report says each once (issue 14: they were
// printed twice, "kubectl cut the list short" among them).
func TestInventoryWarningsOnce(t *testing.T) {
	inv, err := inventory.Parse("cut.txt", []byte("$ kubectl get endpoints -n bookinfo\n"+
		"NAME      ENDPOINTS                                                      AGE\n"+
		"reviews   10.244.1.31:9080,10.244.2.31:9080,10.244.2.32:9080 + 1 more...   18m\n"))
	require.NoError(t, err)
	require.Len(t, inv.Warnings, 1)
	a := New(Options{Inventory: inv, Index: inv.Index()})
	require.NoError(t, a.Run(t.Context(), newSource(t, "c.pcap", pk{flow: "10.244.2.34:42122 > 10.244.1.31:9080", flags: "S"})))
	rep := a.Result().Report()
	n := 0
	for _, w := range rep.Warnings {
		if w == inv.Warnings[0] {
			n++
		}
	}
	assert.Equal(t, 1, n, "%q", rep.Warnings)
}

// TestCutShortGrammar: the warning of a capture cut short counts the
// records before the cut in words that fit the count.
func TestCutShortGrammar(t *testing.T) {
	cut := errors.New("c.pcap: ends in the middle of a record")
	tests := []struct {
		records int
		want    string
	}{
		{0, "c.pcap: ends in the middle of a record; no record came before it"},
		{1, "c.pcap: ends in the middle of a record; the record before it is analyzed"},
		{18, "c.pcap: ends in the middle of a record; the 18 records before it are analyzed"},
	}
	for _, tt := range tests {
		got := sourceWarnings(sourceRun{info: &capture.Info{Name: "c.pcap", Records: tt.records}, err: cut})
		assert.Equal(t, []string{tt.want}, got)
	}
}
