package render

import (
	"fmt"
	"io"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// benchFlows is how many flows the renderer benchmarks print: the flows of
// make bench's small-300000p-20000f capture.
const benchFlows = 20_000

// bigAnalysis is the seed's analysis grown to n flows: its flows again and
// again, each copy from another client (one of 250 pods, so that the
// summary has thousands of rows, as the bench capture's has) and port.
func bigAnalysis(tb testing.TB, n int) *report.Report {
	tb.Helper()
	seed := seedAnalysis(tb)
	require.NotEmpty(tb, seed.Flows)
	r := *seed
	r.Flows = make([]report.Flow, 0, n)
	var sum report.Summarizer
	for i := range n {
		f := seed.Flows[i%len(seed.Flows)]
		client := i / len(seed.Flows) % 250
		f.Client = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 245, byte(client >> 8), byte(client)}), uint16(20000+i%40000))
		f.ClientPod = inventory.Ref{Namespace: "load", Name: fmt.Sprintf("client-%03d-7d9f8c6b5-x2kq9", client)}
		r.Flows = append(r.Flows, f)
		sum.Add(&r.Flows[len(r.Flows)-1])
	}
	r.Summary = sum.Rows()
	return &r
}

// BenchmarkRender prints an analysis of 20,000 flows in every format, the
// flows given as a sequence as engine.Result gives them. Issue 15: the
// summary table costs less than the JSON of every flow; --flows, Markdown,
// HTML and YAML at most 1.5 times the JSON.
func BenchmarkRender(b *testing.B) {
	r := bigAnalysis(b, benchFlows)
	flows := r.Flows
	summary := *r
	summary.Flows = nil
	for _, c := range []struct {
		name string
		f    Format
		opts []Option
	}{
		{"json", JSON, nil},
		{"table", Table, nil},
		{"table-flows", Table, []Option{WithFlows(true)}},
		{"markdown", Markdown, nil},
		{"markdown-flows", Markdown, []Option{WithFlows(true)}},
		{"yaml", YAML, nil},
		{"html", HTML, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			rd, err := New(c.f, c.opts...)
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				require.NoError(b, rd.Analysis(io.Discard, &summary, all(flows)))
			}
			b.ReportMetric(float64(benchFlows*b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}
