package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The magic numbers of the pcap format, as read little-endian.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
const (
	pcapMagicMicro     = 0xA1B2C3D4
	pcapMagicNano      = 0xA1B23C4D
	pcapMagicKuznetzov = 0xA1B2CD34 // patched libpcap: 8 more bytes per record header

	pcapFileHeaderLen = 24
	// pcapMaxSnaplen is libpcap's MAXIMUM_SNAPLEN: no sane record is larger
	// unless the file header says so.
	pcapMaxSnaplen = 262144
)

// pcapMagic reports whether b starts a pcap file, with its byte order,
// timestamp unit and record header length.
func pcapMagic(b []byte) (order binary.ByteOrder, nanos bool, recHdrLen int, ok bool) {
	if len(b) < 4 {
		return nil, false, 0, false
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch bo.Uint32(b) {
		case pcapMagicMicro:
			return bo, false, 16, true
		case pcapMagicNano:
			return bo, true, 16, true
		case pcapMagicKuznetzov:
			return bo, false, 24, true
		}
	}
	return nil, false, 0, false
}

type pcapReader struct {
	rr        *recordReader
	order     binary.ByteOrder
	bigEndian bool
	nanos     bool
	recHdrLen int
	maxLen    int
}

// newPcapReader reads the file header and describes the single interface.
func newPcapReader(rr *recordReader, info *Info) (*pcapReader, error) {
	hdr, err := rr.read(pcapFileHeaderLen)
	if err != nil {
		return nil, fmt.Errorf("pcap file header: %w", err)
	}
	order, nanos, recHdrLen, _ := pcapMagic(hdr)
	snaplen := int(order.Uint32(hdr[16:20]))
	// The top bits of the link type field carry the FCS length; the link
	// type is the low 16 bits.
	link := LinkType(order.Uint32(hdr[20:24]) & 0xFFFF)
	info.Interfaces = append(info.Interfaces, Interface{LinkType: link})
	maxLen := pcapMaxSnaplen
	if snaplen > maxLen {
		maxLen = min(snaplen, maxRecordLen)
	}
	return &pcapReader{rr: rr, order: order, bigEndian: order == binary.BigEndian, nanos: nanos, recHdrLen: recHdrLen, maxLen: maxLen}, nil
}

func (r *pcapReader) offset() int64 { return r.rr.off }

// u32 reads a field of a record header in the file's byte order. It is
// called four times a record: a branch the CPU predicts costs less than a
// call through the binary.ByteOrder interface.
func (r *pcapReader) u32(b []byte) uint32 {
	if r.bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *pcapReader) next(f *frame) error {
	// The fast path: a record that lies whole in the current chunk, as
	// nearly all do, is sliced out of it without recordReader's general
	// reads.
	if rr := r.rr; len(rr.pend) == 0 && len(rr.cur) >= r.recHdrLen {
		hdr := rr.cur[:16]
		capLen := int(r.u32(hdr[8:12]))
		if end := r.recHdrLen + capLen; capLen <= r.maxLen && end <= len(rr.cur) {
			sec := int64(r.u32(hdr[0:4]))
			frac := int64(r.u32(hdr[4:8]))
			origLen := max(int(r.u32(hdr[12:16])), capLen)
			if !r.nanos {
				frac *= 1000
			}
			f.data = rr.cur[r.recHdrLen:end:end]
			f.ts, f.origLen, f.iface, f.bad = sec*1e9+frac, origLen, 0, outcomeInvalid
			rr.cur = rr.cur[end:]
			rr.off += int64(end)
			rr.ck.used = true
			if pos := len(rr.ck.b) - len(rr.cur); pos+prefetchDistance/2 > rr.prefetched {
				rr.prefetchAhead()
			}
			return nil
		}
	}
	return r.slowNext(f)
}

// slowNext is next for a record that straddles chunks, or ends the input.
func (r *pcapReader) slowNext(f *frame) error {
	hdr, err := r.rr.read(r.recHdrLen)
	if err != nil {
		return err
	}
	sec := int64(r.u32(hdr[0:4]))
	frac := int64(r.u32(hdr[4:8]))
	capLen := int(r.u32(hdr[8:12]))
	origLen := int(r.u32(hdr[12:16]))
	if capLen > r.maxLen {
		return fmt.Errorf("%w: record claims %d bytes, more than the largest snapshot length %d", ErrCorrupt, capLen, r.maxLen)
	}
	if !r.nanos {
		frac *= 1000
	}
	r.rr.prefetchAhead()
	data, err := r.rr.read(capLen)
	if errors.Is(err, io.EOF) {
		// The record's header was read: an input that ends before its
		// data is cut, not complete.
		return ErrCutShort
	}
	if err != nil {
		return err
	}
	if origLen < capLen {
		origLen = capLen
	}
	*f = frame{data: data, ts: sec*1e9 + frac, origLen: origLen}
	return nil
}
