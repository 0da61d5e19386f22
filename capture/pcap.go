package capture

import (
	"encoding/binary"
	"fmt"
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
	return &pcapReader{rr: rr, order: order, nanos: nanos, recHdrLen: recHdrLen, maxLen: maxLen}, nil
}

func (r *pcapReader) offset() int64 { return r.rr.off }

func (r *pcapReader) next(f *frame) error {
	hdr, err := r.rr.read(r.recHdrLen)
	if err != nil {
		return err
	}
	sec := int64(r.order.Uint32(hdr[0:4]))
	frac := int64(r.order.Uint32(hdr[4:8]))
	capLen := int(r.order.Uint32(hdr[8:12]))
	origLen := int(r.order.Uint32(hdr[12:16]))
	if capLen > r.maxLen {
		return fmt.Errorf("%w: record claims %d bytes, more than the largest snapshot length %d", ErrCorrupt, capLen, r.maxLen)
	}
	if !r.nanos {
		frac *= 1000
	}
	data, err := r.rr.read(capLen)
	if err != nil {
		return err
	}
	if origLen < capLen {
		origLen = capLen
	}
	*f = frame{data: data, ts: sec*1e9 + frac, origLen: origLen}
	return nil
}
