package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
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

// TestLiveLossWarning: what the kernel dropped during a live capture is a
// warning in tcpdump's words, saying whether the analyzer fell behind, and
// the counts are in the capture's facts; nothing dropped, no warning.
func TestLiveLossWarning(t *testing.T) {
	tests := []struct {
		name string
		live capture.LiveStats
		want []string
	}{
		{"nothing dropped", capture.LiveStats{Received: 40}, nil},
		{"nothing dropped, the capture waited", capture.LiveStats{Received: 40, Waits: 3}, nil},
		{"kernel drops, the capture never waited", capture.LiveStats{Received: 500, KernelDropped: 460},
			[]string{"live eth0: 460 packets dropped by kernel (of 500 the filter passed): the analysis lacks them; the capture did not read the kernel's buffer in time (it never waited for the analyzer): raise --buffer-size"}},
		{"kernel drops, the analyzer behind", capture.LiveStats{Received: 500, KernelDropped: 460, Waits: 12},
			[]string{"live eth0: 460 packets dropped by kernel (of 500 the filter passed): the analysis lacks them; the analyzer fell behind (the capture waited for it 12 times) and the kernel's buffer overflowed: narrow --filter or raise --buffer-size"}},
		{"interface drops", capture.LiveStats{Received: 40, InterfaceDropped: 2},
			[]string{"live eth0: 2 packets dropped by interface (of 40 the filter passed): the analysis lacks them; the capture did not read the kernel's buffer in time (it never waited for the analyzer): raise --buffer-size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, "live eth0", pk{flow: "10.244.2.34:42122 > 10.244.2.35:53", flags: "udp"})
			src.info.Format = capture.FormatLive
			src.info.Interfaces = []capture.Interface{{Name: "eth0", LinkType: capture.LinkEthernet}}
			live := tt.live
			src.info.Live = &live
			rep := analyzeAll(t, nil, src)
			var got []string
			for _, w := range rep.Warnings {
				if strings.HasPrefix(w, "live eth0:") {
					got = append(got, w)
				}
			}
			assert.Equal(t, tt.want, got)
			require.Len(t, rep.Captures, 1)
			assert.Equal(t, &report.LiveCounts{Received: live.Received, KernelDropped: live.KernelDropped,
				InterfaceDropped: live.InterfaceDropped, AnalyzerWaits: live.Waits}, rep.Captures[0].Live)
		})
	}
}
