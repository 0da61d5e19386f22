package capture

import "net/netip"

const ipv4MinHeaderLen = 20

// decodeIPv4 reads an IPv4 header and hands the payload to the transport.
//
// The payload is bounded by the header's total length, which strips Ethernet
// padding. A total length of 0 is what Linux reports for a segment built by
// TCP segmentation offload before it is cut; the captured length stands in.
func decodeIPv4(data []byte, p *Packet) Outcome {
	if len(data) < ipv4MinHeaderLen {
		return Truncated
	}
	if data[0]>>4 != 4 {
		return Malformed
	}
	hdrLen := int(data[0]&0x0F) * 4
	if hdrLen < ipv4MinHeaderLen {
		return Malformed
	}
	if len(data) < hdrLen {
		return Truncated
	}
	total := int(be.Uint16(data[2:4]))
	if total == 0 {
		total = len(data)
	}
	if total < hdrLen {
		return Malformed
	}
	if be.Uint16(data[6:8])&0x1FFF != 0 {
		return Fragment
	}
	p.IPID = be.Uint16(data[4:6])
	p.TTL = data[8]
	src := netip.AddrFrom4([4]byte(data[12:16]))
	dst := netip.AddrFrom4([4]byte(data[16:20]))
	return decodeTransport(data[9], src, dst, data[hdrLen:], total-hdrLen, p)
}

// decodeTransport dispatches on the IP protocol number. declared is the
// payload length the IP header claims; payload holds what was captured of it
// (possibly more, when the frame was padded).
func decodeTransport(proto uint8, src, dst netip.Addr, payload []byte, declared int, p *Packet) Outcome {
	if len(payload) > declared {
		payload = payload[:declared]
	}
	switch proto {
	case uint8(TCP):
		return decodeTCP(src, dst, payload, declared, p)
	case uint8(UDP):
		return decodeUDP(src, dst, payload, declared, p)
	}
	return NotTCPUDP
}
