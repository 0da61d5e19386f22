package analyze

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/capture"
)

// flowKey identifies a bidirectional conversation: a is the smaller endpoint,
// so that both directions of a flow find the same key.
type flowKey struct {
	proto capture.Transport
	a, b  netip.AddrPort
}

// The two sides of a flow, and "none".
const (
	sideA    = 0
	sideB    = 1
	sideNone = 2
)

// keyOf returns the flow key of a packet and the side that sent it.
func keyOf(p *capture.Packet) (flowKey, uint8) {
	if p.Src.Compare(p.Dst) <= 0 {
		return flowKey{proto: p.Transport, a: p.Src, b: p.Dst}, sideA
	}
	return flowKey{proto: p.Transport, a: p.Dst, b: p.Src}, sideB
}

// endpoint returns the key's endpoint on side s.
func (k flowKey) endpoint(s uint8) netip.AddrPort {
	if s == sideA {
		return k.a
	}
	return k.b
}

// maxIfaces is how many distinct interfaces a flow remembers; a flow seen on
// more is marked as such.
const maxIfaces = 4

// flowState is what the analyzer keeps per flow while reading. It holds
// scalars only, so that updating it does not allocate; what a payload says
// lives in the analyzer's l7 table.
type flowState struct {
	key     flowKey
	packets [2]int64 // by sending side
	bytes   [2]int64
	dups    int64
	first   int64 // Unix nanoseconds
	last    int64
	// synFrom is the side that sent a SYN without ACK; synAckFrom the side
	// that sent SYN+ACK; firstFrom the side of the first packet.
	synFrom    uint8
	synAckFrom uint8
	firstFrom  uint8
	nIfaces    uint8
	moreIfaces bool
	ifaces     [maxIfaces]int32
	// l7 indexes Analyzer.l7 when the payload has been looked at, else -1.
	l7 int32
	// l7Tries counts payload segments inspected per side.
	l7Tries [2]uint8
	l7Done  bool
}

func (f *flowState) addIface(id int32) {
	for i := range f.nIfaces {
		if f.ifaces[i] == id {
			return
		}
	}
	if int(f.nIfaces) == maxIfaces {
		f.moreIfaces = true
		return
	}
	f.ifaces[f.nIfaces] = id
	f.nIfaces++
}

// touch widens the flow's time range to ts; the first sighting sets it.
func (f *flowState) touch(ts int64, s uint8) {
	if f.packets[0]+f.packets[1]+f.dups == 0 {
		f.first, f.last, f.firstFrom = ts, ts, s
		return
	}
	f.first, f.last = min(f.first, ts), max(f.last, ts)
}

// update counts one packet sent by side s. It does not allocate.
func (f *flowState) update(p *capture.Packet, s uint8, ts int64, iface int32) {
	f.touch(ts, s)
	f.packets[s]++
	f.bytes[s] += packetBytes(p)
	f.addIface(iface)
	if p.Transport == capture.TCP && p.Flags.Has(capture.FlagSYN) {
		if p.Flags.Has(capture.FlagACK) {
			if f.synAckFrom == sideNone {
				f.synAckFrom = s
			}
		} else if f.synFrom == sideNone {
			f.synFrom = s
		}
	}
}

// packetBytes is what a packet adds to a flow's byte count: its frame
// length, or, for sources without one (tcpdump text), its payload.
func packetBytes(p *capture.Packet) int64 {
	if p.Length > 0 {
		return int64(p.Length)
	}
	return int64(p.PayloadLen)
}

// flowTable maps keys to flows held in one slice, so that a flow is a
// fixed-size record and the map holds only an index.
type flowTable struct {
	index map[flowKey]int32
	flows []flowState
}

func newFlowTable() *flowTable {
	return &flowTable{index: make(map[flowKey]int32)}
}

// get returns the flow of key k, creating it when new.
func (t *flowTable) get(k flowKey) int32 {
	if i, ok := t.index[k]; ok {
		return i
	}
	i := int32(len(t.flows))
	t.flows = append(t.flows, flowState{key: k, synFrom: sideNone, synAckFrom: sideNone, firstFrom: sideNone, l7: -1})
	t.index[k] = i
	return i
}
