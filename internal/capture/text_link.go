package capture

import "bytes"

// unreadReason says why a packet line could not be read, for the notes that
// tell the user how to capture it readably.
type unreadReason uint8

const (
	unreadOther    unreadReason = iota
	unreadHost                  // a host name where an address belongs (no -n)
	unreadPortName              // a port name missing from servicePorts
)

// lineState is what one packet line says besides the Packet fields. Its
// slices alias the line.
type lineState struct {
	// ifname is the interface tcpdump -i any printed; nil when none.
	ifname []byte
	// link is the link type the -e header shows; LinkUnknown without -e.
	link LinkType
	v6   bool
	// fragment is set by a -v header whose fragment offset is not zero.
	fragment bool
	// pending is set when the line ends after an IPv4 -v header: the
	// addresses and transport are on the next, indented line.
	pending bool
	// known is set when the line named a network protocol tcpdump prints
	// (IP, IP6, ARP or an -e header); sniffing counts on it.
	known  bool
	reason unreadReason
}

// readLink reads what follows a packet line's timestamp: the interface and
// direction of tcpdump -i any, the link header of -e, then the network layer.
func (l *lineState) readLink(p *Packet, b []byte) Outcome {
	b = trimLeft(b)
	if len(b) == 0 {
		return UnreadableLine
	}
	if name, dir, rest, ok := cutInterface(b); ok {
		l.ifname, p.Direction, b = name, dir, rest
	} else if dir, rest, ok := cutDirection(b); ok {
		p.Direction, b = dir, rest // Linux cooked v1 with -e: "Out ethertype ..."
	}
	switch {
	case hasPrefix(b, "IP "):
		l.known = true
		return l.readIP(p, b[3:], false)
	case hasPrefix(b, "IP6 "):
		l.known = true
		return l.readIP(p, b[4:], true)
	case hasPrefix(b, "ARP, "), hasPrefix(b, "RARP, "):
		l.known = true
		return NotIP
	case hasPrefix(b, "ifindex "):
		return l.readCooked2(p, b[len("ifindex "):])
	case hasPrefix(b, "ethertype "):
		l.known, l.link = true, LinkLinuxSLL
		return l.readEthertype(p, b)
	case hasPrefix(b, "version ") && bytes.Contains(b, []byte(", resource ID ")):
		return l.readNFLOG(p, b)
	}
	if _, rest, ok := cutMAC(b); ok {
		switch {
		case hasPrefix(rest, " > "):
			return l.readEthernet(p, rest[3:])
		case hasPrefix(rest, " ethertype "):
			l.known, l.link = true, LinkLinuxSLL
			return l.readEthertype(p, rest[1:])
		}
	}
	// Any other protocol tcpdump names at the start of a line (STP, LLDP,
	// CDP, IPX...) is not IP.
	return NotIP
}

// readEthernet reads the rest of an -e Ethernet header after "SRC > ":
// "DST, ethertype IPv4 (0x0800), length 74: ".
func (l *lineState) readEthernet(p *Packet, b []byte) Outcome {
	_, rest, ok := cutMAC(b)
	if !ok || !hasPrefix(rest, ", ") {
		return UnreadableLine
	}
	l.known, l.link = true, LinkEthernet
	rest = rest[2:]
	if !hasPrefix(rest, "ethertype ") {
		// An 802.3 frame with a length field: "802.3, length 60: LLC ...".
		if n, ok := frameLength(rest); ok {
			p.Length = n
		}
		return NotIP
	}
	return l.readEthertype(p, rest)
}

// readCooked2 reads the -e header of a Linux cooked v2 capture after
// "ifindex ": "5 9a:cd:90:4f:4b:a4 ethertype IPv4 (0x0800), length 72: ".
func (l *lineState) readCooked2(p *Packet, b []byte) Outcome {
	n := countDigits(b)
	idx, ok := parseUint(b[:n], 1<<31-1)
	if !ok || len(b) == n || b[n] != ' ' {
		return UnreadableLine
	}
	l.known, l.link = true, LinkLinuxSLL2
	p.IfIndex = int32(idx)
	b = b[n+1:]
	if hasPrefix(b, "(") { // some versions name the interface: "ifindex 5 (eth0) "
		end := bytes.IndexByte(b, ')')
		if end < 0 || end+1 == len(b) || b[end+1] != ' ' {
			return UnreadableLine
		}
		if l.ifname == nil {
			l.ifname = b[1:end]
		}
		b = b[end+2:]
	}
	if _, rest, ok := cutMAC(b); ok && hasPrefix(rest, " ") {
		b = rest[1:]
	}
	return l.readEthertype(p, b)
}

// readNFLOG reads the -e header of an NFLOG capture, "version 0, resource
// ID 7, family IPv4 (2), length 72: " (no family with -q), then the IP
// packet, which tcpdump prints without "IP ".
func (l *lineState) readNFLOG(p *Packet, b []byte) Outcome {
	l.known, l.link = true, LinkNFLOG
	v6 := false
	family := false
	for {
		var f []byte
		line := b
		f, b = nextField(b)
		switch {
		case string(f) == "IPv4", string(f) == "IPv6": // -q
			family, v6 = true, string(f) == "IPv6"
		case hasPrefix(f, "family "):
			family = true
			v6 = hasPrefix(f, "family IPv6 ")
			if !v6 && !hasPrefix(f, "family IPv4 ") {
				return NotIP
			}
		case hasPrefix(f, "length "):
			n, rest, ok := cutLength(line) // the packet follows in line, past this field

			if !ok {
				return UnreadableLine
			}
			p.Length = n
			if !family {
				// -q leaves the family out: an IPv6 source has colons.
				sp := bytes.IndexByte(rest, ' ')
				v6 = sp > 0 && bytes.IndexByte(rest[:sp], ':') >= 0
			}
			return l.readIP(p, rest, v6)
		case len(b) == 0:
			return UnreadableLine
		}
	}
}

// readEthertype reads "ethertype NAME (0xHHHH), length N: " and, for VLAN
// tags, the "vlan V, p P, ethertype ..." that follow, then the network layer.
func (l *lineState) readEthertype(p *Packet, b []byte) Outcome {
	for tags := 0; ; tags++ {
		if !hasPrefix(b, "ethertype ") || tags > 8 {
			return UnreadableLine
		}
		b = b[len("ethertype "):]
		end := bytes.IndexAny(b, " ,")
		if end <= 0 {
			return UnreadableLine
		}
		etype := ethertypeByName(b[:end])
		b = b[end:]
		if hasPrefix(b, " (0x") && len(b) >= 9 && b[8] == ')' {
			v := 0
			for _, c := range b[4:8] {
				d := hexDigit(c)
				if d < 0 {
					return UnreadableLine
				}
				v = v<<4 | d
			}
			etype = uint16(v)
			b = b[9:]
		}
		if !hasPrefix(b, ", ") {
			return UnreadableLine
		}
		b = b[2:]
		if hasPrefix(b, "length ") {
			n, rest, ok := cutLength(b)
			if !ok {
				return UnreadableLine
			}
			if p.Length == 0 {
				p.Length = n
			}
			b = rest
		}
		switch etype {
		case 0x0800:
			return l.readIP(p, b, false)
		case 0x86DD:
			return l.readIP(p, b, true)
		case 0x8100, 0x88A8, 0x9100:
			rest, ok := cutVLAN(b)
			if !ok {
				return UnreadableLine
			}
			b = rest
		default:
			return NotIP
		}
	}
}

// ethertypeByName knows the names tcpdump prints without the number
// (inside a Linux cooked VLAN header).
func ethertypeByName(name []byte) uint16 {
	switch string(name) {
	case "IPv4":
		return 0x0800
	case "IPv6":
		return 0x86DD
	case "802.1Q":
		return 0x8100
	case "802.1Q-QinQ":
		return 0x88A8
	case "802.1Q-9100":
		return 0x9100
	}
	return 0
}

// cutVLAN skips a VLAN tag as -e prints it: "vlan 100, p 0, " and an
// optional "DEI, ".
func cutVLAN(b []byte) ([]byte, bool) {
	if !hasPrefix(b, "vlan ") {
		return nil, false
	}
	b = b[len("vlan "):]
	n := countDigits(b)
	if n == 0 || !hasPrefix(b[n:], ", p ") {
		return nil, false
	}
	b = b[n+len(", p "):]
	n = countDigits(b)
	if n == 0 || !hasPrefix(b[n:], ", ") {
		return nil, false
	}
	b = b[n+2:]
	if hasPrefix(b, "DEI, ") {
		b = b[len("DEI, "):]
	}
	return b, true
}

// cutLength reads "length N: " and returns N and what follows.
func cutLength(b []byte) (int, []byte, bool) {
	b = b[len("length "):]
	n := countDigits(b)
	v, ok := parseUint(b[:n], 1<<31-1)
	if !ok || !hasPrefix(b[n:], ":") {
		return 0, nil, false
	}
	return int(v), trimLeft(b[n+1:]), true
}

// frameLength finds the "length N:" of a link header that this reader does
// not otherwise read.
func frameLength(b []byte) (int, bool) {
	i := bytes.Index(b, []byte("length "))
	if i < 0 {
		return 0, false
	}
	n, _, ok := cutLength(b[i:])
	return n, ok
}

// cutInterface reads the interface and direction tcpdump ≥ 4.99 prints for
// -i any: "veth5f577e0f In  ", "eth0  Out ". The name is padded to five
// columns and the direction to three.
func cutInterface(b []byte) (name []byte, dir Direction, rest []byte, ok bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return nil, DirUnknown, nil, false
	}
	name = b[:sp]
	if isDirection(name) {
		return nil, DirUnknown, nil, false
	}
	dir, rest, ok = cutDirection(trimLeft(b[sp:]))
	if !ok {
		return nil, DirUnknown, nil, false
	}
	return name, dir, rest, true
}

// cutDirection reads a packet type word, "In", "Out", "B", "M" or "P", and
// the spaces after it.
func cutDirection(b []byte) (Direction, []byte, bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || !isDirection(b[:sp]) {
		return DirUnknown, nil, false
	}
	var d Direction
	switch string(b[:sp]) {
	case "In":
		d = DirIn
	case "Out":
		d = DirOut
	default:
		d = DirOther
	}
	return d, trimLeft(b[sp:]), true
}

func isDirection(w []byte) bool {
	switch string(w) {
	case "In", "Out", "B", "M", "P":
		return true
	}
	return false
}

// cutMAC reads a MAC address "aa:bb:cc:dd:ee:ff" at the start of b.
func cutMAC(b []byte) (mac, rest []byte, ok bool) {
	const n = 17
	if len(b) < n {
		return nil, nil, false
	}
	for i := range n {
		c := b[i]
		if i%3 == 2 {
			if c != ':' {
				return nil, nil, false
			}
		} else if hexDigit(c) < 0 {
			return nil, nil, false
		}
	}
	return b[:n], b[n:], true
}
