package capture

import "net/netip"

const ipv6HeaderLen = 40

// The IPv6 next-header values that are extension headers to walk past.
const (
	ip6HopByHop = 0
	ip6Routing  = 43
	ip6Fragment = 44
	ip6AH       = 51
	ip6NoNext   = 59
	ip6DestOpts = 60
	ip6Mobility = 135
)

// maxIPv6Extensions bounds the walk so that a chain of empty extension
// headers costs a fixed amount of work.
const maxIPv6Extensions = 16

// decodeIPv6 reads an IPv6 header and its extension headers. A payload
// length of 0 means a jumbogram (or an offloaded segment): the captured
// length stands in.
func decodeIPv6(data []byte, p *Packet) Outcome {
	if len(data) < ipv6HeaderLen {
		return Truncated
	}
	if data[0]>>4 != 6 {
		return Malformed
	}
	declared := int(be.Uint16(data[4:6]))
	payload := data[ipv6HeaderLen:]
	if declared == 0 {
		declared = len(payload)
	}
	if len(payload) > declared {
		payload = payload[:declared]
	}
	next := data[6]
	p.IPID = 0
	p.TTL = data[7]
	src := netip.AddrFrom16([16]byte(data[8:24]))
	dst := netip.AddrFrom16([16]byte(data[24:40]))
	for range maxIPv6Extensions {
		var extLen int
		switch next {
		case ip6HopByHop, ip6Routing, ip6DestOpts, ip6Mobility:
			if len(payload) < 2 {
				return Truncated
			}
			extLen = (int(payload[1]) + 1) * 8
		case ip6Fragment:
			if len(payload) < 8 {
				return Truncated
			}
			if be.Uint16(payload[2:4])>>3 != 0 {
				return Fragment
			}
			extLen = 8
		case ip6AH:
			if len(payload) < 2 {
				return Truncated
			}
			extLen = (int(payload[1]) + 2) * 4
		case ip6NoNext:
			return NotTCPUDP
		default:
			return decodeTransport(next, src, dst, payload, declared, p)
		}
		if extLen > declared {
			return Malformed
		}
		if len(payload) < extLen {
			return Truncated
		}
		next = payload[0]
		payload = payload[extLen:]
		declared -= extLen
	}
	return Malformed
}
