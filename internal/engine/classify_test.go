package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// TestJudgeAddressesOnce: the judgement judgeAddressesOnce remembers for a
// connection is the one a classifier that never saw another connection
// makes of it (the oracle: judgeAddresses on a fresh classifier), for
// every connection of the seed's captures and of the lab's node-wide ones,
// judged in order by one classifier as a report judges them.
func TestJudgeAddressesOnce(t *testing.T) {
	inv := seedInventory(t, "../../fixtures/bookinfo/before/shell3-istioctl.txt")
	for _, path := range []string{
		"../../fixtures/bookinfo/before/veth.pcap",
		"../../fixtures/bookinfo/after/veth.pcap",
		"../../fixtures/bookinfo/after/any.pcap",
		"../../fixtures/lab/testdata/run/after/any.pcap",
		"../../fixtures/lab/testdata/run/after/pod-any.pcap",
	} {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			src, err := capture.Open(path)
			require.NoError(t, err)
			defer src.Close()
			a := New(Options{Inventory: inv})
			require.NoError(t, a.Run(context.Background(), src))
			r := a.Result()
			m := r.maker()
			require.NotZero(t, len(r.refs))
			for i := range r.refs {
				cn := r.d.expand(&r.refs[i], m.o)
				got := m.cls.judgeAddressesOnce(&cn)
				// Asked twice, it answers from what it remembered.
				again := m.cls.judgeAddressesOnce(&cn)
				want := newClassifier(r.d.inv, r.d.idx).judgeAddresses(&cn)
				for _, j := range []judgement{got, again} {
					assert.Equal(t, want.verdict, j.verdict, "flow %d", i)
					assert.Equal(t, want.service, j.service, "flow %d", i)
					assert.Equal(t, want.servicePort, j.servicePort, "flow %d", i)
					assert.Equal(t, report.Sentences(want.evidence), report.Sentences(j.evidence), "flow %d", i)
					assert.Equal(t, len(j.evidence), cap(j.evidence), "flow %d: the list is clipped", i)
				}
			}
		})
	}
}
