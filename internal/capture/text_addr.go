package capture

import (
	"bytes"
	"net/netip"
)

// endpointKind says what an address token of a tcpdump line turned out to be.
type endpointKind uint8

const (
	endpointBad      endpointKind = iota // neither an address nor a name
	endpointAddr                         // an address without a port ("10.0.0.1")
	endpointAddrPort                     // an address and a port ("10.0.0.1.80", "fd00::1.https")
	endpointHost                         // a host name: tcpdump ran without -n
	endpointPortName                     // an address with a port name missing from servicePorts
)

// parseEndpoint reads one side of "SRC > DST" as tcpdump prints it: the
// address, then, for TCP and UDP, a dot and the port or its service name.
// The port follows the last dot, so an IPv6 address needs no brackets. It
// does not allocate.
func parseEndpoint(tok []byte, v6 bool) (netip.AddrPort, endpointKind) {
	if a, ok := parseAddr(tok, v6); ok {
		return netip.AddrPortFrom(a, 0), endpointAddr
	}
	dot := bytes.LastIndexByte(tok, '.')
	if dot < 0 {
		return netip.AddrPort{}, hostOrBad(tok)
	}
	a, ok := parseAddr(tok[:dot], v6)
	if !ok {
		return netip.AddrPort{}, hostOrBad(tok)
	}
	port, kind := parsePort(tok[dot+1:])
	if kind != endpointAddrPort {
		return netip.AddrPort{}, kind
	}
	return netip.AddrPortFrom(a, port), endpointAddrPort
}

// parsePort reads a port number or one of the service names tcpdump prints
// without -n.
func parsePort(b []byte) (uint16, endpointKind) {
	if n, ok := parseUint(b, 0xFFFF); ok {
		return uint16(n), endpointAddrPort
	}
	if len(b) == 0 || !isNameByte(b[0]) {
		return 0, endpointBad
	}
	if port, ok := servicePorts[string(b)]; ok {
		return port, endpointAddrPort
	}
	for _, c := range b {
		if !isNameByte(c) {
			return 0, endpointBad
		}
	}
	return 0, endpointPortName
}

// hostOrBad tells a host name, which tcpdump prints when run without -n,
// from a token that is garbage.
func hostOrBad(tok []byte) endpointKind {
	if len(tok) == 0 {
		return endpointBad
	}
	letter := false
	for _, c := range tok {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return endpointBad
		}
	}
	if !letter {
		return endpointBad
	}
	return endpointHost
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/' || c == '+'
}

// parseAddr parses an IPv4 or IPv6 address without allocating, which
// netip.ParseAddr cannot promise for a []byte.
func parseAddr(b []byte, v6 bool) (netip.Addr, bool) {
	if v6 {
		return parseIP6(b)
	}
	ip, ok := parseIP4(b)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(ip), true
}

// parseIP4 parses a dotted quad. Like netip it rejects leading zeros.
func parseIP4(b []byte) ([4]byte, bool) {
	var ip [4]byte
	field, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return ip, false
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return ip, false
			}
		case c == '.':
			if digits == 0 || field == 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field, val, digits = field+1, 0, 0
		default:
			return ip, false
		}
	}
	if field != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}

// parseIP6 parses an IPv6 address in any of RFC 4291's text forms, including
// a trailing dotted quad. Zones are rejected: tcpdump does not print them.
func parseIP6(b []byte) (netip.Addr, bool) {
	var ip [16]byte
	ellipsis := -1 // byte index in ip where "::" stands
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		b = b[2:]
		if len(b) == 0 {
			return netip.IPv6Unspecified(), true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for ; off < len(b); off++ {
			d := hexDigit(b[off])
			if d < 0 {
				break
			}
			if off == 4 {
				return netip.Addr{}, false
			}
			acc = acc<<4 | d
		}
		if off == 0 {
			return netip.Addr{}, false
		}
		if off < len(b) && b[off] == '.' {
			// A dotted quad takes the last 32 bits.
			if (ellipsis < 0 && i != 12) || i > 12 {
				return netip.Addr{}, false
			}
			ip4, ok := parseIP4(b)
			if !ok {
				return netip.Addr{}, false
			}
			copy(ip[i:], ip4[:])
			i += 4
			b = nil
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		b = b[off:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' || len(b) == 1 {
			return netip.Addr{}, false
		}
		b = b[1:]
		if b[0] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = i
			b = b[1:]
			if len(b) == 0 {
				break
			}
		}
	}
	if len(b) != 0 {
		return netip.Addr{}, false
	}
	switch {
	case i < 16 && ellipsis < 0:
		return netip.Addr{}, false
	case i < 16:
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	case ellipsis >= 0:
		// "::" must stand for at least one group of zeros.
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(ip), true
}
