package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/report"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// synthPcap writes a pcap of Ethernet frames: packets TCP packets over
// flows connections from 10.244.2.x pods to 10.96.1.x:9080, each opened by
// a SYN and SYN-ACK, the rest ACKs of either side carrying 0 to 1448 bytes,
// interleaved at random (seeded) as on a busy node.
func synthPcap(flows, packets int) []byte {
	rng := rand.New(rand.NewPCG(uint64(flows), uint64(packets)))
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, 262144)
	b = binary.LittleEndian.AppendUint32(b, 1)
	sent := make([]int, flows)
	payload := make([]byte, 1448)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	usec := int64(0)
	for i := range packets {
		f := i
		if i >= flows {
			f = rng.IntN(flows)
		}
		usec += 1 + int64(rng.IntN(30))
		flags, fromClient, n := byte(0x10), rng.IntN(2) == 0, []int{0, 100, 600, 1448}[rng.IntN(4)]
		switch sent[f] {
		case 0:
			flags, fromClient, n = 0x02, true, 0
		case 1:
			flags, fromClient, n = 0x12, false, 0
		}
		sent[f]++
		client := [4]byte{10, 244, 2, byte(10 + f%200)}
		server := [4]byte{10, 96, 1, byte(f % 7)}
		cport, sport := uint16(32768+f/200), uint16(9080)
		src, dst, sp, dp := client, server, cport, sport
		if !fromClient {
			src, dst, sp, dp = server, client, sport, cport
		}
		frame := make([]byte, 0, 14+20+20+n)
		frame = append(frame, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00)
		frame = append(frame, 0x45, 0)
		frame = binary.BigEndian.AppendUint16(frame, uint16(40+n))
		frame = binary.BigEndian.AppendUint16(frame, uint16(i))
		frame = append(frame, 0x40, 0, 64, 6, 0, 0)
		frame = append(frame, src[:]...)
		frame = append(frame, dst[:]...)
		frame = binary.BigEndian.AppendUint16(frame, sp)
		frame = binary.BigEndian.AppendUint16(frame, dp)
		frame = binary.BigEndian.AppendUint32(frame, uint32(i))
		frame = binary.BigEndian.AppendUint32(frame, uint32(i))
		frame = append(frame, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
		frame = append(frame, payload[:n]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(usec/1e6))
		b = binary.LittleEndian.AppendUint32(b, uint32(usec%1e6))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	return b
}

// runPcap analyzes a pcap held in memory.
func runPcap(t testing.TB, data []byte, opts Options) *Analyzer {
	t.Helper()
	src, err := capture.NewReader("synth.pcap", bytes.NewReader(data), nil)
	require.NoError(t, err)
	defer src.Close()
	a := New(opts)
	require.NoError(t, a.Run(context.Background(), src))
	return a
}

// TestSourceAndAddDoNotAllocate: reading a packet of a known flow from a
// pcap and adding it to the flow table allocates nothing.
func TestSourceAndAddDoNotAllocate(t *testing.T) {
	data := synthPcap(100, 200_000)
	src, err := capture.NewReader("synth.pcap", bytes.NewReader(data), nil)
	require.NoError(t, err)
	defer src.Close()
	a := New(Options{})
	a.sources = append(a.sources, sourceRun{info: src.Info()})
	var p capture.Packet
	// Every flow opens in the first 100 packets, and its first payloads are
	// looked at in the next few thousand: warm up past them.
	for range 20_000 {
		require.NoError(t, src.Next(&p))
		a.Add(&p, 0)
	}
	allocs := testing.AllocsPerRun(50_000, func() {
		if err := src.Next(&p); err != nil {
			t.Fatal(err)
		}
		a.Add(&p, 0)
	})
	assert.Zero(t, allocs)
}

// heapOfRun is how much the live heap grows by analyzing data: what the
// analyzer holds once the source is closed.
func heapOfRun(t *testing.T, data []byte) (uint64, int) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a := runPcap(t, data, Options{})
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(a)
	runtime.KeepAlive(data)
	return after.HeapAlloc - before.HeapAlloc, a.table.len()
}

// TestMemoryDoesNotGrowWithPackets: for a fixed number of flows, ten times
// the packets leave the analyzer's memory where it was.
func TestMemoryDoesNotGrowWithPackets(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 500,000 packets")
	}
	small, flows1 := heapOfRun(t, synthPcap(5_000, 50_000))
	large, flows2 := heapOfRun(t, synthPcap(5_000, 500_000))
	require.Equal(t, 5_000, flows1)
	require.Equal(t, 5_000, flows2)
	t.Logf("analyzer heap after 50k packets: %d KiB, after 500k: %d KiB", small>>10, large>>10)
	assert.Less(t, float64(large), 1.1*float64(small)+64<<10, "heap grew with packets")
}

// TestMaxFlows: past the limit, flows fold per client address and
// destination, counts stay whole, the summary is the same, the report says
// so, and it is the same on every run.
func TestMaxFlows(t *testing.T) {
	data := synthPcap(3_000, 30_000)
	full := runPcap(t, data, Options{}).Result().Collect()
	limited := func() *report.Report { return runPcap(t, data, Options{MaxFlows: 2_800}).Result().Collect() }
	r := limited()
	require.True(t, assert.ObjectsAreEqual(r, limited()), "folded reports differ between runs")

	var packets, bytes int64
	folded := 0
	for _, f := range r.Flows {
		packets += f.Packets
		bytes += f.Bytes
		if f.Client.Port() == 0 {
			folded++
			assert.Contains(t, strings.Join(sentences(f), "\n"), "aggregate:", f.Client)
		}
	}
	assert.Equal(t, int64(30_000), packets, "every packet is counted once")
	var wantBytes int64
	for _, f := range full.Flows {
		wantBytes += f.Bytes
	}
	assert.Equal(t, wantBytes, bytes)
	assert.LessOrEqual(t, len(r.Flows), 2_800+2_800/foldClientShare)
	assert.Positive(t, folded)

	var warning string
	for _, w := range r.Warnings {
		if strings.Contains(w, "--max-flows") {
			warning = w
		}
	}
	require.NotEmpty(t, warning)
	// 200 flows were folded; the estimate is within a few percent.
	var about int
	_, err := fmt.Sscanf(warning[strings.Index(warning, "about "):], "about %d", &about)
	require.NoError(t, err)
	assert.InDelta(t, 200, about, 10, warning)

	// The summary keeps the verdict and packets of each client and
	// destination. Without an inventory every verdict is unknown, so a
	// verdict folding got wrong shows as such, not only as a different key.
	sum := func(rep *report.Report) map[string]int64 {
		out := map[string]int64{}
		for _, row := range rep.Summary {
			if row.Verdict != report.Unknown {
				t.Fatalf("summary %s -> %s: verdict %v, want %v", row.Client, row.Destination, row.Verdict, report.Unknown)
			}
			out[row.Client.String()+" "+row.Destination.String()+" "+row.Verdict.String()] += row.Packets
		}
		return out
	}
	want, got := sum(full), sum(r)
	assert.Len(t, got, len(want))
	for k, n := range want {
		if got[k] != n {
			t.Errorf("summary %q: %d packets, want %d", k, got[k], n)
		}
	}
}

// TestMaxFlowsHostile: a capture of distinct flows to distinct
// destinations stays within 1.5 times the limit.
func TestMaxFlowsHostile(t *testing.T) {
	a := New(Options{MaxFlows: 100})
	a.sources = append(a.sources, sourceRun{info: &capture.Info{}})
	for i := range 10_000 {
		p := pk{flow: fmt.Sprintf("10.%d.%d.1:%d > 10.%d.%d.2:%d", i>>8&255, i&255, 1024+i, i&255, i>>8&255, 2048+i), flags: "S"}.packet(t)
		a.Add(&p, 0)
	}
	assert.LessOrEqual(t, a.table.len(), 100+100/foldServerShare+2)
	r := a.Result().Collect()
	var packets int64
	for _, f := range r.Flows {
		packets += f.Packets
	}
	assert.Equal(t, int64(10_000), packets)
}

// BenchmarkPipeline measures what `pcapcheck analyze` does with a capture
// in memory: framing, decoding, the flow table and the report, for 300,000
// packets over 2,000 flows.
func BenchmarkPipeline(b *testing.B) {
	data := synthPcap(2_000, 300_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		a := runPcap(b, data, Options{})
		a.Result().Collect()
	}
	b.ReportMetric(float64(300_000*b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkRun is BenchmarkPipeline without the report: reading only.
func BenchmarkRun(b *testing.B) {
	data := synthPcap(2_000, 300_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		runPcap(b, data, Options{})
	}
	b.ReportMetric(float64(300_000*b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkAddManyFlows is the flow update alone over 20,000 flows in a
// random order, where the flow table no longer fits the CPU's cache.
func BenchmarkAddManyFlows(b *testing.B) {
	data := synthPcap(20_000, 400_000)
	src, err := capture.NewReader("synth.pcap", bytes.NewReader(data), nil)
	require.NoError(b, err)
	defer src.Close()
	var pkts []capture.Packet
	var p capture.Packet
	for src.Next(&p) == nil {
		p.Payload = nil
		pkts = append(pkts, p)
	}
	a := New(Options{})
	a.sources = append(a.sources, sourceRun{info: src.Info()})
	a.single = true
	for i := range pkts {
		a.Add(&pkts[i], 0)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Add(&pkts[i%len(pkts)], 0)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}
