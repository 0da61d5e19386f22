package engine

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"unsafe"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// flowKey identifies a bidirectional conversation: a is the smaller endpoint,
// so that both directions of a flow find the same key. Addresses are kept as
// the two halves of their 16-byte form, and is4 says whether they are IPv4:
// 38 bytes, against 72 for two netip.AddrPorts, which also carry a zone
// handle that packet addresses never have.
type flowKey struct {
	aHi, aLo, bHi, bLo uint64
	aPort, bPort       uint16
	proto              capture.Transport
	is4                bool
}

// The two sides of a flow, and "none".
const (
	sideA    = 0
	sideB    = 1
	sideNone = 2
)

// addrWords returns an address's 16-byte form as two big-endian halves.
// An IPv4 address is the IPv4-mapped form ::ffff:a.b.c.d, made from its 4
// bytes: As16 and two byte swaps back cost more than the rest of keying a
// packet.
func addrWords(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		b := a.As4()
		return 0, 0xFFFF<<32 | uint64(binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// keyOf returns the flow key of a packet and the side that sent it. The
// endpoints are ordered as netip.AddrPort.Compare orders them: address, then
// port.
func keyOf(p *capture.Packet) (flowKey, uint8) {
	src, dst := p.Src.Addr(), p.Dst.Addr()
	sHi, sLo := addrWords(src)
	dHi, dLo := addrWords(dst)
	sPort, dPort := p.Src.Port(), p.Dst.Port()
	is4 := src.Is4()
	if sHi < dHi || (sHi == dHi && (sLo < dLo || (sLo == dLo && sPort <= dPort))) {
		return flowKey{aHi: sHi, aLo: sLo, bHi: dHi, bLo: dLo, aPort: sPort, bPort: dPort, proto: p.Transport, is4: is4}, sideA
	}
	return flowKey{aHi: dHi, aLo: dLo, bHi: sHi, bLo: sLo, aPort: dPort, bPort: sPort, proto: p.Transport, is4: is4}, sideB
}

// equal is k == *o, field by field: inlined, where == on the struct calls
// memequal.
func (k *flowKey) equal(o *flowKey) bool {
	return k.aLo == o.aLo && k.bLo == o.bLo && k.aHi == o.aHi && k.bHi == o.bHi &&
		k.aPort == o.aPort && k.bPort == o.bPort && k.proto == o.proto && k.is4 == o.is4
}

// addrOf rebuilds an address from its halves.
func addrOf(hi, lo uint64, is4 bool) netip.Addr {
	if is4 && hi == 0 && lo>>32 == 0xFFFF {
		// The low 4 bytes of the mapped form: what Unmap of it returns,
		// without making the 16 bytes first (the report makes some ten
		// addresses a flow).
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	a := netip.AddrFrom16(b)
	if is4 {
		return a.Unmap()
	}
	return a
}

// A returns the smaller endpoint, B the larger.
func (k flowKey) A() netip.AddrPort { return netip.AddrPortFrom(addrOf(k.aHi, k.aLo, k.is4), k.aPort) }
func (k flowKey) B() netip.AddrPort { return netip.AddrPortFrom(addrOf(k.bHi, k.bLo, k.is4), k.bPort) }

// endpoint returns the key's endpoint on side s.
func (k flowKey) endpoint(s uint8) netip.AddrPort {
	if s == sideA {
		return k.A()
	}
	return k.B()
}

// maxIfaces is how many distinct interfaces a flow remembers; a flow seen on
// more is marked as such.
const maxIfaces = 4

// flowState is what the analyzer keeps per flow while reading: 128 bytes. It
// holds scalars only, so that updating it does not allocate; what a payload
// says lives in the analyzer's l7 table.
type flowState struct {
	key     flowKey
	packets [2]int64 // by sending side
	bytes   [2]int64
	dups    int64
	first   int64 // Unix nanoseconds
	last    int64
	ifaces  [maxIfaces]int32
	// l7 indexes Analyzer.l7 when the payload has been looked at, else -1.
	l7 int32
	// synFrom is the side that sent a SYN without ACK; synAckFrom the side
	// that sent SYN+ACK; firstFrom the side of the first packet.
	synFrom    uint8
	synAckFrom uint8
	firstFrom  uint8
	nIfaces    uint8
	moreIfaces bool
	// l7Tries counts payload segments inspected per side.
	l7Tries [2]uint8
	l7Done  bool
	// folded is the fold level of a flow that aggregates flows past the
	// flow limit (see fold.go); 0 for an ordinary flow.
	folded foldLevel
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

// Flows live in fixed-size pages, so that the table grows without copying
// what it holds (a slice that doubles holds the old and the new copy at
// once: three times the flows' size at the moment it grows).
const (
	flowPageBits = 12
	flowPageLen  = 1 << flowPageBits
)

// flowTable maps keys to flows. Flows are numbered in the order they were
// first seen. The index is an open-addressing hash table of 8-byte slots,
// each the top half of the key's hash and the flow number plus one (0 marks
// an empty slot); it is kept at most half full. Compared with a Go map
// keyed by flowKey, a slot is a tenth of the size, so the index of tens of
// thousands of flows stays in the CPU cache, and the key compared on a hit
// is the one in the flow record, which the update touches anyway.
type flowTable struct {
	pages []*[flowPageLen]flowState
	n     int32
	slots []uint64
	// seeds key the hash per table, so that a capture cannot be crafted
	// to collide in it.
	seeds [3]uint64
}

// flowIndexMin is the index's initial size in slots.
const flowIndexMin = 1 << 10

func newFlowTable() *flowTable {
	t := &flowTable{slots: make([]uint64, flowIndexMin)}
	for i := range t.seeds {
		t.seeds[i] = rand.Uint64() | 1
	}
	return t
}

// len is the number of flows.
func (t *flowTable) len() int { return int(t.n) }

// at returns flow i.
func (t *flowTable) at(i int32) *flowState {
	return &t.pages[i>>flowPageBits][i&(flowPageLen-1)]
}

// hash returns the key's hash in this table.
func (t *flowTable) hash(k *flowKey) uint64 { return hashKey(k, &t.seeds) }

// hashKey mixes the key's words wyhash-style, each 128-bit product folded
// to 64 bits, under three seeds.
func hashKey(k *flowKey, seeds *[3]uint64) uint64 {
	rest := uint64(k.aPort)<<32 | uint64(k.bPort)<<16 | uint64(k.proto)<<8
	if k.is4 {
		rest |= 1
	}
	h := mum(k.aHi^seeds[0], k.aLo^seeds[1]) ^ mum(k.bHi^seeds[1], k.bLo^seeds[2])
	return mum(h^rest, seeds[0]^seeds[2])
}

func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// lookup returns the flow of key k, whose hash is h, and whether it exists.
func (t *flowTable) lookup(k *flowKey, h uint64) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if s>>32 == tag {
			if fi := int32(uint32(s) - 1); t.at(fi).key.equal(k) {
				return fi, true
			}
		}
	}
}

// slotPtr is the address of the slot where the probe for hash h starts,
// for prefetching.
func (t *flowTable) slotPtr(h uint64) unsafe.Pointer {
	return unsafe.Pointer(&t.slots[h&uint64(len(t.slots)-1)])
}

// guess returns the flow the first slot of h's probe names when its tag
// matches h, else nil: most likely the flow lookup will find, for
// prefetching its record.
func (t *flowTable) guess(h uint64) *flowState {
	s := t.slots[h&uint64(len(t.slots)-1)]
	if s == 0 || s>>32 != h>>32 {
		return nil
	}
	return t.at(int32(uint32(s) - 1))
}

// insert adds a flow of key k, whose hash is h and which lookup did not
// find, and returns its number.
func (t *flowTable) insert(k *flowKey, h uint64) int32 {
	fi := t.n
	if int(fi)&(flowPageLen-1) == 0 {
		t.pages = append(t.pages, new([flowPageLen]flowState))
	}
	t.n++
	*t.at(fi) = flowState{key: *k, synFrom: sideNone, synAckFrom: sideNone, firstFrom: sideNone, l7: -1}
	if 2*int(t.n) > len(t.slots) {
		t.grow()
	}
	t.place(h, fi)
	return fi
}

// place puts flow fi, whose key hashes to h, in the first free slot.
func (t *flowTable) place(h uint64, fi int32) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = h&^0xFFFFFFFF | uint64(uint32(fi)+1)
}

// grow doubles the index and re-places every flow but the one being
// inserted.
func (t *flowTable) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	for fi := range t.n - 1 {
		t.place(t.hash(&t.at(fi).key), fi)
	}
}

// get returns the flow of key k, creating it when new.
func (t *flowTable) get(k flowKey) int32 {
	h := t.hash(&k)
	if fi, ok := t.lookup(&k, h); ok {
		return fi
	}
	return t.insert(&k, h)
}
