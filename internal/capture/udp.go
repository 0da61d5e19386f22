package capture

import "net/netip"

const udpHeaderLen = 8

// decodeUDP reads a UDP header. The payload length is the smaller of what
// the IP header and the UDP length field claim; a UDP length below 8 (0 is
// used by UDP over IPv6 jumbograms) defers to the IP header.
func decodeUDP(src, dst netip.Addr, dgram []byte, declared int, p *Packet) Outcome {
	if len(dgram) < udpHeaderLen {
		if declared < udpHeaderLen {
			return Malformed
		}
		return Truncated
	}
	p.Transport = UDP
	p.Src = netip.AddrPortFrom(src, be.Uint16(dgram[0:2]))
	p.Dst = netip.AddrPortFrom(dst, be.Uint16(dgram[2:4]))
	p.Flags, p.Seq, p.Ack, p.Window, p.TSVal, p.HasTS = 0, 0, 0, 0, 0, false
	length := int(be.Uint16(dgram[4:6]))
	if length < udpHeaderLen || length > declared {
		length = declared
	}
	p.PayloadLen = length - udpHeaderLen
	p.Payload = dgram[udpHeaderLen:min(length, len(dgram))]
	return Decoded
}
