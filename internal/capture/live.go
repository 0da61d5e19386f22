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

// LiveOptions configure a live capture.
type LiveOptions struct {
	// Filter is a BPF filter in tcpdump's syntax; empty captures everything.
	Filter string
	// Snaplen is how many bytes of each frame are kept; 0 means 262144.
	Snaplen int
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
// looks whether it was stopped.
const pollInterval = 100 * time.Millisecond

// LiveSource is a Source reading an interface. Next blocks until a packet
// arrives; Stop, which may be called from another goroutine, makes Next
// return io.EOF within pollInterval.
type LiveSource interface {
	Source
	Stop()
}
