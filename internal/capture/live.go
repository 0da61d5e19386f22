package capture

import (
	"errors"
	"time"
)

// Errors of live capture, for errors.Is.
var (
	// ErrNoLibpcap: this build has no libpcap (it was built without cgo).
	ErrNoLibpcap = errors.New("live capture needs a build with libpcap: rebuild with CGO_ENABLED=1 after apt-get install libpcap-dev")
	// ErrNoInterface: the interface does not exist in this network namespace.
	ErrNoInterface = errors.New("no such interface")
	// ErrPermission: the process may not capture.
	ErrPermission = errors.New("permission denied: live capture needs root or CAP_NET_RAW")
	// ErrBadFilter: the BPF filter does not compile.
	ErrBadFilter = errors.New("bad filter")
)

// DefaultLiveBuffer is the kernel buffer a live capture asks for when
// LiveOptions.BufferSize is 0. tcpdump asks for 2 MiB; pcapcheck asks for
// more because it runs two busy threads (capture and analysis) where
// tcpdump runs one, and on a shared machine either may wait for a core
// while packets keep coming: at 1 Gbit/s, 32 MiB holds a quarter second of
// traffic.
const DefaultLiveBuffer = 32 << 20

// LiveOptions configure a live capture.
type LiveOptions struct {
	// Filter is a BPF filter in tcpdump's syntax; empty captures everything.
	Filter string
	// Snaplen is how many bytes of each frame are kept; 0 means 262144.
	Snaplen int
	// BufferSize is the size in bytes of the kernel buffer libpcap
	// captures into (tcpdump's -B, in bytes); 0 means DefaultLiveBuffer.
	// What does not fit while pcapcheck is behind is dropped by the
	// kernel and counted in LiveStats.KernelDropped.
	BufferSize int
	// Count stops the capture after this many frames; 0 means no limit.
	Count int
	// Write, when not nil, receives every frame captured, decoded or not,
	// before it is decoded.
	Write *PcapWriter
	// Idle, when not nil, is called from Next each time a poll interval
	// passes without a packet, so that a caller reading in one goroutine
	// can still redraw a display.
	Idle func()
}

// pollInterval is how long a live source waits for a packet before it
// looks whether it was stopped. It is also libpcap's buffer timeout: the
// longest a packet waits in the kernel before it can be read.
const pollInterval = 100 * time.Millisecond

// LiveSource is a Source reading an interface. Next blocks until a packet
// arrives; Stop, which may be called from another goroutine, makes Next
// return io.EOF within pollInterval.
type LiveSource interface {
	Source
	Stop()
}

// LiveStats count what a live capture received and lost. The kernel's
// counts are libpcap's (pcap_stats), accumulated since the capture began.
//
// pcapcheck itself never drops a packet it has read: when the analyzer
// falls behind, the capture waits for it (Waits counts how often) and the
// kernel's buffer takes what comes meanwhile; what overflows that buffer
// is KernelDropped.
type LiveStats struct {
	// Received is libpcap's ps_recv: packets the kernel's filter passed,
	// the dropped ones included.
	Received int
	// KernelDropped is ps_drop: packets the kernel dropped because the
	// capture buffer was full.
	KernelDropped int
	// InterfaceDropped is ps_ifdrop: packets the interface or its driver
	// dropped. libpcap on Linux counts them in promiscuous mode only, so
	// here it is 0.
	InterfaceDropped int
	// Waits counts the times the capture found every buffer of its queue
	// still with the analyzer and waited for one.
	Waits int
}

// Lost reports whether the kernel or the interface dropped packets.
func (s LiveStats) Lost() bool { return s.KernelDropped > 0 || s.InterfaceDropped > 0 }
