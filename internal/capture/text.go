package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// textLineMax is the longest line a text source reads; a longer one is
// counted as unreadable when it starts like a packet and skipped otherwise.
// tcpdump's longest lines (-v DNS answers, many TCP options) are a few
// hundred bytes.
const textLineMax = 64 << 10

// textMaxInterfaces bounds the interface names one text capture may use, so
// that a hostile input cannot grow Info.Interfaces without end.
const textMaxInterfaces = 1024

// textSource reads the text tcpdump prints: one line per packet, two for an
// IPv4 header under -v. Every line that holds a packet is a record, whatever
// became of it, and Packet.Num is the number of its first line. Lines that
// hold none (banners, commands, counters, hex and ASCII dumps, blank lines)
// are skipped without being counted; a line that starts like a packet but
// cannot be read is an UnreadableLine. Timestamps are read as clock
// describes; -ttt and -ttttt deltas are read as times of day.
//
// It reads lines in place with ReadSlice and keeps only scalars, so Next
// does not allocate once every interface name has been seen.
type textSource struct {
	info   Info
	br     *bufio.Reader
	closer io.Closer

	line   int   // number of the last line read
	offset int64 // bytes read so far
	clock  clock
	// stamped says whether packet lines carry a timestamp: 0 until the
	// first packet line, then 1, or -1 for tcpdump -t.
	stamped int8
	// ifaces maps interface names to indexes of info.Interfaces.
	ifaces map[string]int
	// unnamed is the interface of lines that name none; -1 until needed.
	unnamed int
	// anyLink is the link type of a capture whose lines name their
	// interfaces (-i any); anyName names the interface of its lines that
	// name none: "any" after a "listening on any" banner.
	anyLink LinkType
	anyName string

	// pending is set while p holds an IPv4 -v header line whose
	// addresses are on the next line; l holds what that line said.
	pending bool
	l       lineState

	hostLines, portNameLines int
	lengthless               bool
	// sawCommand and sawBanner record a "$ tcpdump" command line and a
	// "listening on" or "reading from file" line, for sniffText.
	sawCommand, sawBanner bool
	// known counts packet lines that named a protocol tcpdump prints.
	known int
	// done is io.EOF or the read error Next returns from now on.
	done error
}

// newTextSource reads tcpdump text from r; name is how errors and reports
// refer to it.
func newTextSource(name string, r io.Reader) *textSource {
	return newTextSourceSize(name, r, textLineMax)
}

// newTextSourceSize reads lines of up to size bytes.
func newTextSourceSize(name string, r io.Reader, size int) *textSource {
	return &textSource{
		info:    Info{Name: name, Format: FormatText},
		br:      bufio.NewReaderSize(r, size),
		ifaces:  map[string]int{},
		unnamed: -1,
		anyLink: LinkUnknown,
	}
}

func (s *textSource) Info() *Info { return &s.info }

// Close closes the closer the opener gave, if any.
func (s *textSource) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Next returns the next TCP or UDP packet. Lines that cannot be read are
// counted as UnreadableLine and skipped; only an error of the underlying
// reader is returned, as a *FileError.
func (s *textSource) Next(p *Packet) error {
	if s.done != nil {
		return s.done
	}
	for {
		line, err := s.readLine(p)
		if err != nil {
			if s.pending {
				s.count(UnreadableLine, p)
				s.pending = false
			}
			if errors.Is(err, io.EOF) {
				s.finish()
				s.done = io.EOF
			} else {
				if errors.Is(err, io.ErrUnexpectedEOF) && s.info.Compressed {
					err = fmt.Errorf("%w (the gzip data ends early)", ErrCutShort)
				}
				s.done = &FileError{Path: s.info.Name, Offset: s.offset, Record: s.line, Err: err}
			}
			return s.done
		}
		if line == nil {
			continue
		}
		if s.handle(p, line) == Decoded {
			return nil
		}
	}
}

// readLine returns the next line without its line ending, or nil for a line
// too long to read (which it has counted when it started like a packet).
func (s *textSource) readLine(p *Packet) ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if len(line) == 0 && err != nil {
		return nil, err
	}
	s.line++
	s.offset += int64(len(line))
	if errors.Is(err, bufio.ErrBufferFull) {
		s.tooLong(p, line)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.br.ReadSlice('\n')
			s.offset += int64(len(line))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if s.line == 1 {
		line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
	}
	return line, nil
}

// tooLong counts a line longer than the buffer as unreadable when its start
// looks like a packet line.
func (s *textSource) tooLong(p *Packet, start []byte) {
	if s.pending {
		s.count(UnreadableLine, p)
		s.pending = false
	}
	if _, _, ok := parseStamp(start); ok || s.startsUnstamped(start) {
		*p = Packet{Num: s.line}
		s.l = lineState{}
		s.count(UnreadableLine, p)
	}
}

// handle reads one line. It returns the outcome of the record the line
// completes, which it has counted, or outcomeInvalid when the line holds no
// packet or starts one that continues on the next line.
func (s *textSource) handle(p *Packet, line []byte) Outcome {
	b := line
	if rest, ok := cutPacketNumber(line); ok {
		b = rest
	}
	st, rest, stamped := parseStamp(b)
	unstamped := !stamped && s.stamped <= 0 && s.startsUnstamped(b)
	if s.pending {
		s.pending = false
		if !stamped && !unstamped && len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			return s.count(s.l.readBody(p, trimRight(trimLeft(line))), p)
		}
		// The header's addresses never came.
		s.count(UnreadableLine, p)
	}
	switch {
	case stamped:
		s.stamped = 1
	case unstamped:
		s.stamped = -1
		rest = b
	default:
		s.readOther(line)
		return outcomeInvalid
	}

	*p = Packet{Num: s.line}
	if stamped {
		p.Time = s.clock.time(st)
		if st.kind == stampClock {
			s.info.Undated = true
		}
	}
	s.l = lineState{link: LinkUnknown}
	o := s.l.readLink(p, trimRight(rest))
	if s.l.known {
		s.known++
	}
	idx, ok := s.iface(s.l.ifname, s.l.link)
	if !ok {
		o = UnreadableLine
	}
	p.Interface = idx
	if s.l.pending && o == outcomeInvalid {
		s.pending = true
		return outcomeInvalid
	}
	return s.count(o, p)
}

// cutPacketNumber drops the packet number tcpdump -# prints first, "%5u  ",
// when a timestamp or a packet follows it.
func cutPacketNumber(b []byte) ([]byte, bool) {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	n := countDigits(b[i:])
	if n == 0 || !hasPrefix(b[i+n:], "  ") {
		return b, false
	}
	rest := b[i+n+2:]
	if len(rest) == 0 || rest[0] == ' ' && (len(rest) < 2 || !isDigit(rest[1])) {
		return b, false
	}
	return rest, true
}

// startsUnstamped reports whether a line without a timestamp starts like a
// packet line of tcpdump -t.
func (s *textSource) startsUnstamped(b []byte) bool {
	if _, _, rest, ok := cutInterface(b); ok {
		b = rest
	}
	switch {
	case hasPrefix(b, "IP "), hasPrefix(b, "IP6 "), hasPrefix(b, "ARP, "), hasPrefix(b, "ifindex "):
		return true
	}
	if _, rest, ok := cutMAC(b); ok && hasPrefix(rest, " > ") {
		return true
	}
	return false
}

// count records the outcome of the record p holds.
func (s *textSource) count(o Outcome, p *Packet) Outcome {
	if o == outcomeInvalid {
		o = UnreadableLine
	}
	switch {
	case o == Decoded && p.Length == 0:
		s.lengthless = true
	case o == UnreadableLine && s.l.reason == unreadHost:
		s.hostLines++
	case o == UnreadableLine && s.l.reason == unreadPortName:
		s.portNameLines++
	}
	s.info.count(o, p, LinkUnknown)
	return o
}

// iface returns the index in Info.Interfaces of the interface a line named,
// or of the unnamed one, adding it on first use. link, when known, replaces
// an unknown link type.
func (s *textSource) iface(name []byte, link LinkType) (int, bool) {
	if name == nil {
		if s.unnamed < 0 {
			s.unnamed = s.addIface(s.anyName, s.anyLink)
		}
		s.learnLink(s.unnamed, link)
		return s.unnamed, true
	}
	if i, ok := s.ifaces[string(name)]; ok {
		s.learnLink(i, link)
		return i, true
	}
	if len(s.info.Interfaces) >= textMaxInterfaces {
		return 0, false
	}
	if link == LinkUnknown {
		link = s.anyLink
	}
	i := s.addIface(string(name), link)
	s.ifaces[string(name)] = i
	return i, true
}

func (s *textSource) addIface(name string, link LinkType) int {
	s.info.Interfaces = append(s.info.Interfaces, Interface{Name: name, LinkType: link})
	return len(s.info.Interfaces) - 1
}

func (s *textSource) learnLink(i int, link LinkType) {
	if link != LinkUnknown && s.info.Interfaces[i].LinkType == LinkUnknown {
		s.info.Interfaces[i].LinkType = link
	}
}

// finish adds the notes that say what the text could not tell.
func (s *textSource) finish() {
	if len(s.info.Interfaces) == 0 {
		s.addIface("", LinkUnknown)
	}
	if s.lengthless {
		s.info.Notes = append(s.info.Notes, "tcpdump text has no frame lengths: bytes count TCP/UDP payload only")
	}
	if s.hostLines > 0 {
		s.info.Notes = append(s.info.Notes, fmt.Sprintf(
			"%s hosts instead of addresses; capture with tcpdump -n to read them", linesName(s.hostLines)))
	}
	if s.portNameLines > 0 {
		s.info.Notes = append(s.info.Notes, fmt.Sprintf(
			"%s ports by names this reader does not know; capture with tcpdump -n to read them", linesName(s.portNameLines)))
	}
}

// linesName returns "1 line names" or "12 lines name".
func linesName(n int) string {
	if n == 1 {
		return "1 line names"
	}
	return fmt.Sprintf("%d lines name", n)
}
