package engine

import (
	"net/netip"
	"unsafe"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// dedupe recognizes a packet seen again on another interface. tcpdump -i any
// on a node sees a forwarded packet twice, on the way in and on the way out,
// and kube-proxy's DNAT rewrites the destination in between (its un-DNAT
// rewrites the source of the reply). So a packet is fingerprinted twice: once
// with its source and once with its destination, each together with the
// fields no router or NAT changes (IP ID, TCP sequence, ack, flags, window,
// timestamp, lengths, and for UDP the first payload bytes). A later sighting
// that matches either fingerprint on a different interface within the window
// is the same packet; when it matched on the other flow key, the two flows
// are the two legs of one NATed connection.
//
// The table is a fixed array: it never allocates after construction, and an
// entry older than the window is simply overwritten.
type dedupe struct {
	window int64
	slots  []dedupeSlot
	mask   uint64
}

type dedupeSlot struct {
	sig   uint64
	ts    int64
	iface int32
	flow  int32
}

// dedupeSlots is the table size: enough for the packets of a 100 ms window
// on a busy node (two fingerprints per packet).
const dedupeSlots = 1 << 16

func newDedupe(window int64) *dedupe {
	return &dedupe{window: window, slots: make([]dedupeSlot, dedupeSlots), mask: dedupeSlots - 1}
}

// sighting is what check learned about a packet.
type sighting struct {
	dup bool
	// flow is the flow of the earlier sighting.
	flow int32
	// stableSent is true when the matching fingerprint was the source's:
	// the packet's sender is the endpoint no NAT changed.
	stableSent bool
}

// fingerprints returns the two fingerprints of p that check looks up: with
// its source and with its destination. ignoreSeq leaves TCP sequence and
// acknowledgment numbers out, for sources that print them relative to a
// base that differs between sightings (tcpdump text).
func fingerprints(p *capture.Packet, ignoreSeq bool) (sigSrc, sigDst uint64) {
	base := fingerprint(p, ignoreSeq)
	return mixAddr(base^0x5352, p.Src), mixAddr(base^0x4453, p.Dst)
}

// check looks a packet up by its fingerprints and, when it is not a
// duplicate, records it.
func (d *dedupe) check(sigSrc, sigDst uint64, ts int64, iface, flow int32) sighting {
	if s, ok := d.match(sigSrc, ts, iface); ok {
		return sighting{dup: true, flow: s.flow, stableSent: true}
	}
	if s, ok := d.match(sigDst, ts, iface); ok {
		return sighting{dup: true, flow: s.flow, stableSent: false}
	}
	d.put(sigSrc, ts, iface, flow)
	d.put(sigDst, ts, iface, flow)
	return sighting{}
}

// slotPtr is the address of sig's slot, for prefetching.
func (d *dedupe) slotPtr(sig uint64) unsafe.Pointer { return unsafe.Pointer(&d.slots[sig&d.mask]) }

func (d *dedupe) match(sig uint64, ts int64, iface int32) (dedupeSlot, bool) {
	s := d.slots[sig&d.mask]
	if s.sig != sig || s.iface == iface {
		return s, false
	}
	if delta := ts - s.ts; delta > d.window || delta < -d.window {
		return s, false
	}
	return s, true
}

func (d *dedupe) put(sig uint64, ts int64, iface, flow int32) {
	d.slots[sig&d.mask] = dedupeSlot{sig: sig, ts: ts, iface: iface, flow: flow}
}

// fingerprint hashes the fields of a packet that survive forwarding and NAT.
func fingerprint(p *capture.Packet, ignoreSeq bool) uint64 {
	h := mix(uint64(p.Transport)<<48 | uint64(p.IPID)<<32 | uint64(uint32(p.PayloadLen)))
	if !ignoreSeq {
		h = mix(h ^ uint64(p.Seq)<<32 ^ uint64(p.Ack))
	}
	ts := uint64(0)
	if p.HasTS {
		ts = 1<<32 | uint64(p.TSVal)
	}
	h = mix(h ^ ts ^ uint64(p.Flags)<<40 ^ uint64(p.Window)<<48)
	if p.Transport == capture.UDP {
		var first uint64
		for i := 0; i < 8 && i < len(p.Payload); i++ {
			first = first<<8 | uint64(p.Payload[i])
		}
		h = mix(h ^ first)
	}
	return h
}

func mixAddr(h uint64, ap netip.AddrPort) uint64 {
	hi, lo := addrWords(ap.Addr())
	// One mix: the odd multiplier spreads hi over the word before lo (whose
	// top bits an IPv4 address leaves clear, for the port) joins it.
	return mix(h^hi*0x9E3779B97F4A7C15^lo^uint64(ap.Port())<<48) | 1 // never 0: 0 marks an empty slot
}

// mix is splitmix64's finalizer: cheap, and every input bit reaches every
// output bit.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}
