package capture

import "bytes"

// readOther looks at a line that holds no packet for what it says about the
// capture: the "listening on" banner names the interface and its link type,
// "reading from file" gives the link type, and a shell command running
// tcpdump tells sniffText what the text is. Everything else (blank lines,
// "...", tcpdump's other messages and counters, -x/-X/-A dumps, indented
// lines that continue a packet) is skipped.
func (s *textSource) readOther(line []byte) {
	b := trimLeft(line)
	b = bytes.TrimPrefix(b, []byte("tcpdump: "))
	switch {
	case hasPrefix(b, "listening on "):
		b = b[len("listening on "):]
		comma := bytes.Index(b, []byte(", link-type "))
		if comma <= 0 {
			return
		}
		s.sawBanner = true
		s.banner(b[:comma], linkByName(b[comma+len(", link-type "):]))
	case hasPrefix(b, "reading from file "):
		i := bytes.Index(b, []byte(", link-type "))
		if i < 0 {
			return
		}
		s.sawBanner = true
		s.banner(nil, linkByName(b[i+len(", link-type "):]))
	case isCommand(b):
		s.sawCommand = true
	}
}

// banner applies a banner's interface and link type to the interface of the
// lines that name none. A banner for "any", or a file of Linux cooked
// frames, leaves the names to the lines.
func (s *textSource) banner(name []byte, link LinkType) {
	if string(name) == "any" || name == nil && (link == LinkLinuxSLL || link == LinkLinuxSLL2) {
		// Cooked captures come from -i any, whose lines name their
		// interfaces.
		s.anyLink, s.anyName = link, string(name)
		return
	}
	if s.unnamed >= 0 && s.info.Interfaces[s.unnamed].Name != "" && s.info.Interfaces[s.unnamed].Name != string(name) {
		// Another capture's output follows: a new unnamed interface.
		s.unnamed = -1
	}
	if s.unnamed < 0 {
		if len(s.info.Interfaces) >= textMaxInterfaces {
			return
		}
		s.unnamed = s.addIface("", LinkUnknown)
	}
	ifc := &s.info.Interfaces[s.unnamed]
	if name != nil {
		ifc.Name = string(name)
	}
	if link != LinkUnknown {
		ifc.LinkType = link
	}
}

// linkByName reads the DLT name at the start of "EN10MB (Ethernet), ...".
func linkByName(b []byte) LinkType {
	if sp := bytes.IndexAny(b, " ,"); sp >= 0 {
		b = b[:sp]
	}
	for lt, name := range linkNames {
		if lt != LinkUnknown && name == string(b) {
			switch lt {
			case LinkRawBSD12, LinkRawBSD14:
				return LinkRaw // tcpdump names all three "RAW"
			}
			return lt
		}
	}
	return LinkUnknown
}

// isCommand reports whether a line is a shell command that runs tcpdump:
// "$ tcpdump -i eth0", "root@node:/# tcpdump -nn", "$ kubectl debug ... --
// tcpdump -i any", "tcpdump -i eth0" pasted without its prompt.
func isCommand(b []byte) bool {
	i := bytes.Index(b, []byte("tcpdump "))
	if i < 0 {
		return false
	}
	before := b[:i]
	return len(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(before), []byte("sudo")))) == 0 ||
		bytes.Contains(before, []byte("$ ")) || bytes.Contains(before, []byte("# ")) || bytes.Contains(before, []byte("> "))
}
