package capture

import (
	"bytes"
	"net/netip"
)

// readIP reads the network layer of a packet line: an optional -v header in
// parentheses, then "SRC > DST: " and the transport.
func (l *lineState) readIP(p *Packet, b []byte, v6 bool) Outcome {
	l.v6 = v6
	if hasPrefix(b, "(") {
		end := closingParen(b)
		if end < 0 {
			return UnreadableLine
		}
		if v6 {
			l.readIP6Header(p, b[1:end])
		} else {
			l.readIP4Header(p, b[1:end])
		}
		b = trimLeft(b[end+1:])
		if len(b) == 0 {
			// -v prints the IPv4 header alone; the rest follows on an
			// indented line.
			l.pending = true
			return outcomeInvalid
		}
	}
	return l.readBody(p, b)
}

// readIP4Header reads the fields of
// "tos 0x0, ttl 64, id 25367, offset 0, flags [DF], proto TCP (6), length 60".
func (l *lineState) readIP4Header(p *Packet, b []byte) {
	for len(b) > 0 {
		var f []byte
		f, b = nextField(b)
		switch {
		case hasPrefix(f, "ttl "):
			if v, ok := parseUint(f[len("ttl "):], 0xFF); ok {
				p.TTL = uint8(v)
			}
		case hasPrefix(f, "id "):
			if v, ok := parseUint(f[len("id "):], 0xFFFF); ok {
				p.IPID = uint16(v)
			}
		case hasPrefix(f, "offset "):
			if v, ok := parseUint(f[len("offset "):], 0xFFFF); ok && v > 0 {
				l.fragment = true
			}
		}
	}
}

// readIP6Header reads the hop limit out of
// "flowlabel 0x12345, hlim 64, next-header TCP (6) payload length: 40".
func (l *lineState) readIP6Header(p *Packet, b []byte) {
	for len(b) > 0 {
		var f []byte
		f, b = nextField(b)
		if hasPrefix(f, "hlim ") {
			if v, ok := parseUint(f[len("hlim "):], 0xFF); ok {
				p.TTL = uint8(v)
			}
		}
	}
}

// readBody reads "SRC > DST: transport..." into p.
func (l *lineState) readBody(p *Packet, b []byte) Outcome {
	gt := bytes.Index(b, []byte(" > "))
	if gt <= 0 {
		return UnreadableLine
	}
	src, b := b[:gt], b[gt+3:]
	var dst []byte
	if colon := bytes.Index(b, []byte(": ")); colon >= 0 {
		dst, b = b[:colon], trimLeft(b[colon+2:])
	} else if len(b) > 0 && b[len(b)-1] == ':' {
		dst, b = b[:len(b)-1], nil
	} else {
		return UnreadableLine
	}
	if bytes.IndexByte(src, ' ') >= 0 || bytes.IndexByte(dst, ' ') >= 0 || len(dst) == 0 {
		return UnreadableLine
	}

	b, sport, dport, portsAfter, o := l.skipExtensions(b)
	if o != outcomeInvalid {
		return o
	}
	if l.fragment {
		return Fragment
	}
	tr, o := transportOf(b)
	if o != outcomeInvalid {
		return o
	}

	srcEP, sk := parseEndpoint(src, l.v6)
	dstEP, dk := parseEndpoint(dst, l.v6)
	switch {
	case sk == endpointHost || dk == endpointHost:
		if tr == 0 && portless(b) {
			return NotTCPUDP
		}
		l.reason = unreadHost
		return UnreadableLine
	case sk == endpointPortName || dk == endpointPortName:
		l.reason = unreadPortName
		return UnreadableLine
	case portsAfter && sk == endpointAddr && dk == endpointAddr:
		srcEP = netip.AddrPortFrom(srcEP.Addr(), sport)
		dstEP = netip.AddrPortFrom(dstEP.Addr(), dport)
	case sk == endpointAddr && dk == endpointAddr:
		if tr != 0 {
			return UnreadableLine
		}
		return NotTCPUDP
	case sk != endpointAddrPort || dk != endpointAddrPort:
		return UnreadableLine
	}
	p.Src, p.Dst = srcEP, dstEP
	if tr == TCP {
		return readTCP(p, b)
	}
	p.Transport = UDP
	p.PayloadLen = udpLength(b)
	return Decoded
}

// skipExtensions steps over the IPv6 extension headers tcpdump names before
// the transport ("HBH ", "DSTOPT ", "RT6 (...) ", "frag (0|1448) "), after which it prints
// the ports on their own: "41851 > 43913: ". A fragment other than the first
// is a Fragment; so is tcpdump's older "(frag 1234:100@1480)".
func (l *lineState) skipExtensions(b []byte) (rest []byte, sport, dport uint16, portsAfter bool, o Outcome) {
	saw := false
	for {
		switch {
		case hasPrefix(b, "HBH "), hasPrefix(b, "DSTOPT "), hasPrefix(b, "RT6 ("), hasPrefix(b, "srcrt ("):
			// Options with -v, "HBH (padn)(rtalert: 0x0000) ", and a
			// routing header's addresses, "RT6 (len=2, type=0, segleft=1,
			// [0]fd00::9) " (tcpdump before 4.99 says "srcrt"), are
			// parenthesized groups after the name.
			rest := skipGroups(trimLeft(b[bytes.IndexByte(b, ' '):]))
			switch {
			case rest == nil && bytes.Contains(b, []byte("[|")):
				return nil, 0, 0, false, Truncated
			case rest == nil:
				return nil, 0, 0, false, UnreadableLine
			}
			b = rest
		case hasPrefix(b, "frag ("):
			end := bytes.IndexByte(b, ')')
			if end < 0 {
				return nil, 0, 0, false, UnreadableLine
			}
			// "(0|1448)", or with -v "(0x051c0340:1448|1448)".
			in := b[len("frag ("):end]
			if c := bytes.LastIndexByte(in, ':'); c >= 0 {
				in = in[c+1:]
			}
			bar := bytes.IndexByte(in, '|')
			if bar < 0 {
				return nil, 0, 0, false, UnreadableLine
			}
			off, ok := parseUint(in[:bar], 1<<32-1)
			if !ok {
				return nil, 0, 0, false, UnreadableLine
			}
			if off > 0 {
				return nil, 0, 0, false, Fragment
			}
			b = trimLeft(b[end+1:])
		default:
			if i := bytes.Index(b, []byte("(frag ")); i >= 0 && oldFragmentOffset(b[i+len("(frag "):]) > 0 {
				return nil, 0, 0, false, Fragment
			}
			if !saw {
				return b, 0, 0, false, outcomeInvalid
			}
			return cutPortPair(b)
		}
		saw = true
	}
}

// skipGroups steps over the parenthesized groups b starts with, "(a)(b) ";
// nil when a group does not close on the line ("segleft=0[|srcrt]", cut by
// the snapshot length).
func skipGroups(b []byte) []byte {
	for len(b) > 0 && b[0] == '(' {
		end := closingParen(b)
		if end < 0 {
			return nil
		}
		b = trimLeft(b[end+1:])
	}
	return b
}

// cutPortPair reads the "41851 > 43913: " tcpdump prints after IPv6
// extension headers. Without it, the line goes on as it would without them.
func cutPortPair(b []byte) (rest []byte, sport, dport uint16, portsAfter bool, o Outcome) {
	gt := bytes.Index(b, []byte(" > "))
	if gt <= 0 {
		return b, 0, 0, false, outcomeInvalid
	}
	colon := bytes.Index(b[gt:], []byte(": "))
	if colon < 0 {
		return b, 0, 0, false, outcomeInvalid
	}
	sp, sk := parsePort(b[:gt])
	dp, dk := parsePort(b[gt+3 : gt+colon])
	switch {
	case sk == endpointBad || dk == endpointBad:
		return b, 0, 0, false, outcomeInvalid
	case sk != endpointAddrPort || dk != endpointAddrPort:
		return nil, 0, 0, false, UnreadableLine
	}
	return trimLeft(b[gt+colon+2:]), sp, dp, true, outcomeInvalid
}

// oldFragmentOffset reads the offset of "1234:100@1480+)"; -1 when b is not
// of that shape.
func oldFragmentOffset(b []byte) int64 {
	at := bytes.IndexByte(b, '@')
	if at < 0 {
		return -1
	}
	b = b[at+1:]
	off, ok := parseInt(b[:countDigits(b)])
	if !ok {
		return -1
	}
	return off
}

// transportOf tells from the text after "SRC > DST: " whether the packet is
// TCP, something with ports that is not TCP or UDP, a fragment tcpdump could
// not decode, or cut short by the snapshot length. tr is 0 when the text
// does not say: UDP when the addresses carry ports.
func transportOf(b []byte) (tr Transport, o Outcome) {
	switch {
	case hasPrefix(b, "Flags ["):
		return TCP, outcomeInvalid
	case hasPrefix(b, "tcp ") && countDigits(b[4:]) > 0:
		return TCP, outcomeInvalid // -q
	case hasPrefix(b, "[|tcp]"), hasPrefix(b, "[|udp]"):
		return 0, Truncated
	case hasPrefix(b, "sctp"), hasPrefix(b, "SCTP"), hasPrefix(b, "DCCP"):
		return 0, NotTCPUDP
	}
	// tcpdump prints a non-first IPv4 fragment of TCP or UDP, which has
	// no ports, as the bare protocol: "ip-proto-17" with -n, "udp" without.
	switch string(trimRight(b)) {
	case "ip-proto-6", "ip-proto-17", "tcp", "udp":
		return 0, Fragment
	}
	return 0, outcomeInvalid
}

// portless reports whether the text after "SRC > DST: " names a protocol
// without ports, so that a line naming hosts is still known not to be TCP or
// UDP.
func portless(b []byte) bool {
	for _, w := range []string{"ICMP", "igmp", "IGMP", "GRE", "ESP", "AH", "OSPF", "PIM", "VRRP", "EIGRP", "ip-proto-", "RSVP", "CARP", "mobility"} {
		if hasPrefix(b, w) {
			return true
		}
	}
	return false
}
