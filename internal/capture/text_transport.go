package capture

import "bytes"

// readTCP reads what tcpdump prints for TCP after "SRC > DST: ":
// "Flags [P.], seq 3112:3890, ack 5085, win 684, options [...], length 778",
// or "tcp 778" with -q. Fields tcpdump leaves out stay zero; seq and ack are
// the numbers as printed, relative to the first of the connection unless
// tcpdump ran with -S.
func readTCP(p *Packet, b []byte) Outcome {
	p.Transport = TCP
	if hasPrefix(b, "tcp ") {
		n, ok := parseUint(trimRight(b[len("tcp "):]), 1<<31-1)
		if !ok {
			return UnreadableLine
		}
		p.PayloadLen = int(n)
		return Decoded
	}
	b = b[len("Flags ["):]
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return UnreadableLine
	}
	flags, ok := parseTCPFlags(b[:end])
	if !ok {
		return UnreadableLine
	}
	p.Flags = flags
	b = b[end+1:]
	if len(b) == 0 {
		return Decoded
	}
	if !hasPrefix(b, ", ") {
		return UnreadableLine
	}
	b = b[2:]
	for len(b) > 0 {
		if hasPrefix(b, "length ") {
			// Whatever follows the length is the application's.
			n := countDigits(b[len("length "):])
			v, ok := parseUint(b[len("length "):len("length ")+n], 1<<31-1)
			if !ok {
				return UnreadableLine
			}
			p.PayloadLen = int(v)
			return Decoded
		}
		var f []byte
		f, b = nextField(b)
		if !readTCPField(p, f) {
			return UnreadableLine
		}
	}
	return Decoded
}

// readTCPField reads one of tcpdump's TCP fields; it ignores those a Packet
// does not keep (cksum, urg) and reports false for a number out of range.
func readTCPField(p *Packet, f []byte) bool {
	switch {
	case hasPrefix(f, "seq "):
		f = f[len("seq "):]
		if c := bytes.IndexByte(f, ':'); c >= 0 {
			f = f[:c] // "seq 3112:3890": first and end of the segment
		}
		v, ok := parseUint(f, 1<<32-1)
		p.Seq = uint32(v)
		return ok
	case hasPrefix(f, "ack "):
		v, ok := parseUint(f[len("ack "):], 1<<32-1)
		p.Ack = uint32(v)
		return ok
	case hasPrefix(f, "win "):
		v, ok := parseUint(f[len("win "):], 0xFFFF)
		p.Window = uint16(v)
		return ok
	case hasPrefix(f, "options ["):
		return readTCPOptions(p, f[len("options ["):])
	}
	return true
}

// readTCPOptions finds the timestamp option in
// "mss 1460,sackOK,TS val 1627817850 ecr 1863232535,nop,wscale 7]".
func readTCPOptions(p *Packet, b []byte) bool {
	i := bytes.Index(b, []byte("TS val "))
	if i < 0 {
		return true
	}
	b = b[i+len("TS val "):]
	v, ok := parseUint(b[:countDigits(b)], 1<<32-1)
	if !ok {
		return false
	}
	p.TSVal, p.HasTS = uint32(v), true
	return true
}

// parseTCPFlags reads what tcpdump prints between "Flags [" and "]".
func parseTCPFlags(b []byte) (TCPFlags, bool) {
	if string(b) == "none" {
		return 0, true
	}
	if len(b) == 0 {
		return 0, false
	}
	var f TCPFlags
	for _, c := range b {
		switch c {
		case 'S':
			f |= FlagSYN
		case 'F':
			f |= FlagFIN
		case 'P':
			f |= FlagPSH
		case 'R':
			f |= FlagRST
		case 'U':
			f |= FlagURG
		case 'E':
			f |= FlagECE
		case 'W':
			f |= FlagCWR
		case '.':
			f |= FlagACK
		case 'e':
			// AccECN's AE bit, which TCPFlags does not hold.
		default:
			return 0, false
		}
	}
	return f, true
}

// udpLength finds the UDP payload length in what tcpdump prints after
// "SRC > DST: ": "UDP, length 32" when it decodes nothing above UDP; the
// trailing "(52)" of DNS; else the first "length N" or "length: N" an
// application decoder printed, which is its message length (NTP, syslog,
// DHCP, RADIUS). Tunnels print the inner packet's lengths instead, so they
// and anything else give 0.
func udpLength(b []byte) int {
	b = trimRight(b)
	if hasPrefix(b, "UDP, length ") {
		v, ok := parseUint(b[len("UDP, length "):], 1<<31-1)
		if !ok {
			return 0
		}
		return int(v)
	}
	for _, w := range []string{"VXLAN", "Geneve", "UDP-encap", "GTP", "MPLS", "OTV", "LISP"} {
		if hasPrefix(b, w) {
			return 0
		}
	}
	if len(b) > 2 && b[len(b)-1] == ')' {
		open := bytes.LastIndexByte(b, '(')
		if v, ok := parseUint(b[open+1:len(b)-1], 1<<31-1); open >= 0 && ok {
			return int(v)
		}
	}
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte("length"))
		if j < 0 {
			break
		}
		i += j + len("length")
		if i-len("length") > 0 && b[i-len("length")-1] != ' ' {
			continue
		}
		rest := b[i:]
		switch {
		case hasPrefix(rest, ": "):
			rest = rest[2:]
		case hasPrefix(rest, " "):
			rest = rest[1:]
		default:
			continue
		}
		if v, ok := parseUint(rest[:countDigits(rest)], 1<<31-1); ok {
			return int(v)
		}
	}
	return 0
}
