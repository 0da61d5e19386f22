package capture

import "net/netip"

const (
	tcpMinHeaderLen = 20

	tcpOptEnd       = 0
	tcpOptNop       = 1
	tcpOptTimestamp = 8
)

// decodeTCP reads a TCP header. declared is the segment length the IP header
// claims. Options cut off by the snapshot length are read as far as they go:
// the fixed header is what a flow needs.
func decodeTCP(src, dst netip.Addr, seg []byte, declared int, p *Packet) Outcome {
	if len(seg) < tcpMinHeaderLen {
		if declared < tcpMinHeaderLen {
			return Malformed
		}
		return Truncated
	}
	hdrLen := int(seg[12]>>4) * 4
	if hdrLen < tcpMinHeaderLen || hdrLen > declared {
		return Malformed
	}
	p.Transport = TCP
	p.Src = netip.AddrPortFrom(src, be.Uint16(seg[0:2]))
	p.Dst = netip.AddrPortFrom(dst, be.Uint16(seg[2:4]))
	p.Seq = be.Uint32(seg[4:8])
	p.Ack = be.Uint32(seg[8:12])
	p.Flags = TCPFlags(seg[13])
	p.Window = be.Uint16(seg[14:16])
	opts := seg[tcpMinHeaderLen:min(hdrLen, len(seg))]
	p.TSVal, p.HasTS = tcpTimestamp(opts)
	p.PayloadLen = declared - hdrLen
	if len(seg) > hdrLen {
		p.Payload = seg[hdrLen:]
	} else {
		p.Payload = nil
	}
	return Decoded
}

// tcpTimestamp finds the timestamp option's TSval. Malformed options end the
// search rather than the packet: they do not change the flow.
func tcpTimestamp(opts []byte) (uint32, bool) {
	for len(opts) > 0 {
		switch opts[0] {
		case tcpOptEnd:
			return 0, false
		case tcpOptNop:
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return 0, false
		}
		if opts[0] == tcpOptTimestamp && opts[1] == 10 {
			return be.Uint32(opts[2:6]), true
		}
		opts = opts[opts[1]:]
	}
	return 0, false
}
