package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// pcapng block types and option codes this reader uses.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
const (
	ngSectionHeader    = 0x0A0D0D0A
	ngInterfaceDesc    = 0x00000001
	ngObsoletePacket   = 0x00000002
	ngSimplePacket     = 0x00000003
	ngEnhancedPacket   = 0x00000006
	ngByteOrderMagic   = 0x1A2B3C4D
	ngOptEnd           = 0
	ngOptIfName        = 2
	ngOptIfTsresol     = 9
	ngOptIfTsoffset    = 14
	ngBlockOverhead    = 12 // type, length, trailing length
	ngMinSHBLen        = 28
	ngDefaultUnitsPerS = 1_000_000
)

// ngMagic reports whether b starts a pcapng file.
func ngMagic(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == ngSectionHeader
}

// ngInterface is one interface of the current section.
type ngInterface struct {
	global      int    // index into Info.Interfaces
	unitsPerSec uint64 // timestamp resolution
	offsetSec   int64  // if_tsoffset
	snaplen     int
}

type ngReader struct {
	rr     *recordReader
	info   *Info
	order  binary.ByteOrder
	ifaces []ngInterface
	// lastTS stands in for the timestamp simple packet blocks lack.
	lastTS int64
	// blockAt is the byte offset of the block being read: next reads
	// section and interface blocks on its way to a packet, and an error
	// names the block it happened in.
	blockAt int64
}

func newNgReader(rr *recordReader, info *Info) *ngReader {
	return &ngReader{rr: rr, info: info, order: binary.LittleEndian}
}

func (r *ngReader) offset() int64 { return r.rr.off }

// blockStart is the byte offset of the block next last began to read.
func (r *ngReader) blockStart() int64 { return r.blockAt }

// next reads blocks until one holds a packet. Section and interface blocks
// update the reader's state; statistics, name resolution and unknown blocks
// are skipped.
func (r *ngReader) next(f *frame) error {
	for {
		r.blockAt = r.rr.off
		head, err := r.rr.peek(8)
		if err != nil {
			return err
		}
		r.rr.prefetchAhead()
		blockType := r.order.Uint32(head[0:4])
		if binary.BigEndian.Uint32(head[0:4]) == ngSectionHeader {
			blockType = ngSectionHeader
			if err := r.sectionOrder(); err != nil {
				return err
			}
		}
		length := int(r.order.Uint32(head[4:8]))
		if length < ngBlockOverhead || length%4 != 0 || length > maxRecordLen {
			return fmt.Errorf("%w: pcapng block of type 0x%08x claims length %d", ErrCorrupt, blockType, length)
		}
		block, err := r.rr.read(length)
		if err != nil {
			return err
		}
		if trailer := int(r.order.Uint32(block[length-4:])); trailer != length {
			return fmt.Errorf("%w: pcapng block of type 0x%08x has length %d at its start and %d at its end", ErrCorrupt, blockType, length, trailer)
		}
		body := block[8 : length-4]
		switch blockType {
		case ngSectionHeader:
			r.ifaces = r.ifaces[:0]
		case ngInterfaceDesc:
			if err := r.interfaceDesc(body); err != nil {
				return err
			}
		case ngEnhancedPacket:
			return r.enhancedPacket(body, f)
		case ngSimplePacket:
			return r.simplePacket(body, f)
		case ngObsoletePacket:
			return r.obsoletePacket(body, f)
		}
	}
}

// sectionOrder reads the byte-order magic of a section header block that
// starts at the reader's position.
func (r *ngReader) sectionOrder() error {
	head, err := r.rr.peek(12)
	if err != nil {
		return err
	}
	switch {
	case binary.LittleEndian.Uint32(head[8:12]) == ngByteOrderMagic:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(head[8:12]) == ngByteOrderMagic:
		r.order = binary.BigEndian
	default:
		return fmt.Errorf("%w: pcapng section header has byte-order magic %x, want 1a2b3c4d", ErrCorrupt, head[8:12])
	}
	return nil
}

func (r *ngReader) interfaceDesc(body []byte) error {
	if len(body) < 8 {
		return fmt.Errorf("%w: pcapng interface description block of %d bytes", ErrCorrupt, len(body))
	}
	ifc := ngInterface{global: len(r.info.Interfaces), unitsPerSec: ngDefaultUnitsPerS, snaplen: int(r.order.Uint32(body[4:8]))}
	desc := Interface{LinkType: LinkType(r.order.Uint16(body[0:2]))}
	for opts := body[8:]; len(opts) >= 4; {
		code, n := r.order.Uint16(opts[0:2]), int(r.order.Uint16(opts[2:4]))
		if code == ngOptEnd || 4+n > len(opts) {
			break
		}
		val := opts[4 : 4+n]
		switch {
		case code == ngOptIfName:
			desc.Name = string(val)
		case code == ngOptIfTsresol && n == 1:
			ifc.unitsPerSec = tsUnits(val[0])
		case code == ngOptIfTsoffset && n == 8:
			ifc.offsetSec = int64(r.order.Uint64(val))
		}
		advance := 4 + (n+3)&^3
		if advance > len(opts) {
			break
		}
		opts = opts[advance:]
	}
	r.ifaces = append(r.ifaces, ifc)
	r.info.Interfaces = append(r.info.Interfaces, desc)
	return nil
}

// tsUnits turns if_tsresol into timestamp units per second: 10^n, or 2^n
// when the top bit is set. Resolutions finer than a unit that fits 64 bits
// fall back to the default.
func tsUnits(resol byte) uint64 {
	exp := uint(resol & 0x7F)
	if resol&0x80 != 0 {
		if exp > 63 {
			return ngDefaultUnitsPerS
		}
		return 1 << exp
	}
	if exp > 19 {
		return ngDefaultUnitsPerS
	}
	units := uint64(1)
	for range exp {
		units *= 10
	}
	return units
}

// timestamp converts a 64-bit pcapng timestamp to Unix nanoseconds.
func (ifc ngInterface) timestamp(high, low uint32) int64 {
	ts := uint64(high)<<32 | uint64(low)
	sec, frac := ts/ifc.unitsPerSec, ts%ifc.unitsPerSec
	hi, lo := bits.Mul64(frac, 1e9)
	nsec, _ := bits.Div64(hi, lo, ifc.unitsPerSec)
	return (int64(sec)+ifc.offsetSec)*1e9 + int64(nsec)
}

// packet fills f from a packet's data, checking the interface id. A packet
// for an interface the section never described keeps the framing sound but
// cannot be decoded.
func (r *ngReader) packet(f *frame, ifid int, high, low uint32, data []byte, origLen int) {
	*f = frame{data: data, origLen: max(origLen, len(data))}
	if ifid < 0 || ifid >= len(r.ifaces) {
		f.bad = Malformed
		return
	}
	ifc := r.ifaces[ifid]
	f.iface = ifc.global
	f.ts = ifc.timestamp(high, low)
	r.lastTS = f.ts
}

func (r *ngReader) enhancedPacket(body []byte, f *frame) error {
	if len(body) < 20 {
		return fmt.Errorf("%w: pcapng enhanced packet block of %d bytes", ErrCorrupt, len(body))
	}
	capLen := int(r.order.Uint32(body[12:16]))
	if capLen > len(body)-20 {
		return fmt.Errorf("%w: pcapng enhanced packet claims %d bytes in a block of %d", ErrCorrupt, capLen, len(body)-20)
	}
	r.packet(f, int(r.order.Uint32(body[0:4])), r.order.Uint32(body[4:8]), r.order.Uint32(body[8:12]),
		body[20:20+capLen], int(r.order.Uint32(body[16:20])))
	return nil
}

func (r *ngReader) obsoletePacket(body []byte, f *frame) error {
	if len(body) < 20 {
		return fmt.Errorf("%w: pcapng packet block of %d bytes", ErrCorrupt, len(body))
	}
	capLen := int(r.order.Uint32(body[12:16]))
	if capLen > len(body)-20 {
		return fmt.Errorf("%w: pcapng packet block claims %d bytes in a block of %d", ErrCorrupt, capLen, len(body)-20)
	}
	r.packet(f, int(r.order.Uint16(body[0:2])), r.order.Uint32(body[4:8]), r.order.Uint32(body[8:12]),
		body[20:20+capLen], int(r.order.Uint32(body[16:20])))
	return nil
}

// simplePacket has no interface id (it is interface 0) and no timestamp, so
// it takes the previous packet's; its captured length is implied by the block
// and the snapshot length.
func (r *ngReader) simplePacket(body []byte, f *frame) error {
	if len(body) < 4 {
		return fmt.Errorf("%w: pcapng simple packet block of %d bytes", ErrCorrupt, len(body))
	}
	origLen := int(r.order.Uint32(body[0:4]))
	capLen := min(origLen, len(body)-4)
	if len(r.ifaces) > 0 && r.ifaces[0].snaplen > 0 {
		capLen = min(capLen, r.ifaces[0].snaplen)
	}
	prev := r.lastTS
	r.packet(f, 0, 0, 0, body[4:4+capLen], origLen)
	f.ts, r.lastTS = prev, prev
	return nil
}
