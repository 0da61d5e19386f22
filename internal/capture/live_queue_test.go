package capture

import (
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFrames is a liveReader that yields n UDP frames whose payloads carry
// their sequence number, from one buffer it rewrites for each (as libpcap's
// ring is reused), then times out until it is stopped, or fails with end.
type fakeFrames struct {
	frame   []byte
	n, next int
	end     error
	dropped int
	closed  atomic.Bool
}

// seqAt is where a fake frame's sequence number is: the start of its UDP
// payload.
const seqAt = 14 + 20 + 8

func newFakeFrames(t testing.TB, n int) *fakeFrames {
	udp := &layers.UDP{SrcPort: 40000, DstPort: 5201}
	frame := serialize(t, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), udp, gopacket.Payload(make([]byte, 1200)))
	return &fakeFrames{frame: frame, n: n}
}

func (f *fakeFrames) read() ([]byte, int64, int, error) {
	if f.next == f.n {
		if f.end != nil {
			return nil, 0, 0, f.end
		}
		// What libpcap does when nothing comes, only sooner.
		time.Sleep(time.Millisecond)
		return nil, 0, 0, errReadTimeout
	}
	binary.BigEndian.PutUint64(f.frame[seqAt:], uint64(f.next))
	f.next++
	return f.frame, int64(f.next) * 1000, len(f.frame), nil
}

func (f *fakeFrames) stats() (LiveStats, error) {
	return LiveStats{Received: f.next + f.dropped, KernelDropped: f.dropped}, nil
}

func (f *fakeFrames) close() { f.closed.Store(true) }

func newFakeLive(r *fakeFrames, opts LiveOptions) *liveSource {
	info := &Info{Name: "live fake0", Format: FormatLive, Interfaces: []Interface{{Name: "fake0", LinkType: LinkEthernet}}}
	return newLiveSource(r, info, LinkEthernet, opts)
}

// TestLiveQueueKeepsEveryFrame: a consumer that pauses while the capture
// goroutine reads more frames than the queue holds loses none of them; the
// capture waits for it, and says how often.
func TestLiveQueueKeepsEveryFrame(t *testing.T) {
	const n = 3*liveBatches*liveBatchLen + 7
	r := newFakeFrames(t, n)
	r.dropped = 5
	src := newFakeLive(r, LiveOptions{})
	var p Packet
	require.NoError(t, src.Next(&p))
	time.Sleep(100 * time.Millisecond) // the queue fills meanwhile
	for i := 1; i < n; i++ {
		require.NoError(t, src.Next(&p))
		require.Equal(t, uint64(i), binary.BigEndian.Uint64(p.Payload), "packet %d", i)
		require.Equal(t, i+1, p.Num)
	}
	src.Stop()
	assert.ErrorIs(t, src.Next(&p), io.EOF)
	require.NoError(t, src.Close())
	assert.True(t, r.closed.Load())
	info := src.Info()
	assert.Equal(t, n, info.Records)
	assert.Equal(t, n, info.Outcomes.Count(Decoded))
	require.NotNil(t, info.Live)
	assert.Positive(t, info.Live.Waits, "the capture waited for the paused consumer")
	assert.Equal(t, LiveStats{Received: n + 5, KernelDropped: 5, Waits: info.Live.Waits}, *info.Live)
}

// TestLiveQueueEnds: how a live source ends, and that the frames before
// the end are all returned.
func TestLiveQueueEnds(t *testing.T) {
	broken := errors.New("the interface went away")
	tests := []struct {
		name    string
		frames  int
		end     error
		count   int
		stop    bool
		want    int
		wantErr error
	}{
		{name: "stopped", frames: 2500, stop: true, want: 2500, wantErr: io.EOF},
		{name: "read error", frames: 1500, end: broken, want: 1500, wantErr: broken},
		{name: "count", frames: 5000, count: 1234, want: 1234, wantErr: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeFrames(t, tt.frames)
			r.end = tt.end
			src := newFakeLive(r, LiveOptions{Count: tt.count})
			defer src.Close()
			got := 0
			var err error
			for {
				var pkts []Packet
				if pkts, err = src.NextBatch(); err != nil {
					break
				}
				for i := range pkts {
					require.Equal(t, uint64(got), binary.BigEndian.Uint64(pkts[i].Payload))
					got++
				}
				if got == tt.frames && tt.stop {
					src.Stop()
				}
			}
			assert.Equal(t, tt.want, got)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, src.Info().Records)
			if tt.end != nil {
				var fe *FileError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "live fake0", fe.Path)
			}
		})
	}
}

// TestLiveQueueIdle: while nothing comes, the consumer's Idle runs, so that
// a display can be redrawn from the goroutine that reads.
func TestLiveQueueIdle(t *testing.T) {
	idle := 0
	var src *liveSource
	src = newFakeLive(newFakeFrames(t, 0), LiveOptions{Idle: func() {
		if idle++; idle == 3 {
			src.Stop()
		}
	}})
	defer src.Close()
	var p Packet
	assert.ErrorIs(t, src.Next(&p), io.EOF)
	assert.GreaterOrEqual(t, idle, 3)
}

// TestLiveQueueDoesNotAllocate: past the batches made when it starts, a
// live source allocates nothing per frame, in the capture goroutine or in
// the consumer.
func TestLiveQueueDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 frames")
	}
	const n = 200_000
	r := newFakeFrames(t, n)
	src := newFakeLive(r, LiveOptions{})
	defer src.Close()
	_, err := src.NextBatch() // starts the capture goroutine
	require.NoError(t, err)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := 0
	for got < n-liveBatchLen {
		pkts, err := src.NextBatch()
		require.NoError(t, err)
		got += len(pkts)
	}
	runtime.ReadMemStats(&after)
	allocs := after.Mallocs - before.Mallocs
	t.Logf("%d allocations for %d frames", allocs, got)
	assert.Less(t, allocs, uint64(n/1000), "%d allocations for %d frames", allocs, got)
}
