package engine

import (
	"testing"
)

// BenchmarkResult measures the report phase alone at 200,000 flows (the
// bench capture's 20,000 and a tenth of its million both show the same per
// flow): freezing the flow table into a Result (sorting, judging,
// annotating, summing up) and reading its flows once, as -o json does. The
// reading of the capture is left out.
func BenchmarkResult(b *testing.B) {
	const flows = 200_000
	data := synthPcap(flows, 2*flows)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		a := runPcap(b, data, Options{Inventory: seedInventory(b)})
		b.StartTimer()
		n := 0
		for range a.Result().Flows() {
			n++
		}
		if n == 0 {
			b.Fatal("no flows")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(flows*b.N), "ns/flow")
}
