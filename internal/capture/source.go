package capture

import (
	"time"
)

// Format is the container a source reads. The zero value is invalid.
type Format uint8

const (
	formatInvalid Format = iota
	FormatPcap
	FormatPcapNG
	FormatText
	FormatLive
)

// String returns "pcap", "pcapng", "tcpdump-text", "live" or "invalid".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNG:
		return "pcapng"
	case FormatText:
		return "tcpdump-text"
	case FormatLive:
		return "live"
	}
	return "invalid"
}

// Interface is one capture interface: the single one of a pcap file, one of a
// pcapng file's, one named by tcpdump -i any text, or a live interface.
type Interface struct {
	// Name is the interface's name when the capture records it, else "".
	Name     string
	LinkType LinkType
}

// Info describes a source and counts what was read from it. It is updated as
// packets are read; read it after the last call to Next.
type Info struct {
	Name       string
	Format     Format
	Compressed bool
	Interfaces []Interface
	// Records counts frames (or text lines holding a packet) read.
	Records int
	// Outcomes counts records by what became of them.
	Outcomes Tally
	// Unsupported counts frames per link type that is not decoded.
	Unsupported map[LinkType]int
	// First and Last are the earliest and latest timestamps of decoded
	// packets; both are zero until one is decoded.
	First, Last time.Time
	timed       bool
	// Undated is true when timestamps were times of day without a date,
	// placed on UndatedDay.
	Undated bool
	// Notes say what the format cannot tell (text has no frame lengths).
	Notes []string
	// Live, for a live capture, counts what the kernel received and
	// dropped, as of the last packets Next returned; nil for a file.
	Live *LiveStats
}

// LinkTypes returns the distinct link types of the interfaces, in order.
func (i *Info) LinkTypes() []LinkType {
	var out []LinkType
	seen := map[LinkType]bool{}
	for _, ifc := range i.Interfaces {
		if !seen[ifc.LinkType] {
			seen[ifc.LinkType] = true
			out = append(out, ifc.LinkType)
		}
	}
	return out
}

// count records one record's outcome and, for decoded packets, widens the
// time range. It does not allocate except the first time a link type is
// found unsupported.
func (i *Info) count(o Outcome, p *Packet, link LinkType) {
	i.Records++
	i.Outcomes.Add(o, p.Num)
	switch o {
	case Decoded:
		// Text captures without a date carry year 0, before the zero
		// time.Time, so emptiness is tracked apart from the values.
		if !i.timed || p.Time.Before(i.First) {
			i.First = p.Time
		}
		if !i.timed || p.Time.After(i.Last) {
			i.Last = p.Time
		}
		i.timed = true
	case UnsupportedLink:
		if i.Unsupported == nil {
			i.Unsupported = map[LinkType]int{}
		}
		i.Unsupported[link]++
	}
}

// Source yields the TCP and UDP packets of one capture.
type Source interface {
	// Next fills p with the next TCP or UDP packet. Records that are not
	// TCP or UDP, or cannot be decoded, are counted in Info and skipped. It
	// returns io.EOF at the end; a *FileError wrapping ErrCutShort when the
	// input ends inside a record (what was read before stays valid); or
	// another *FileError when the input cannot be read on.
	Next(p *Packet) error
	// Info describes the source and counts what Next has read so far.
	Info() *Info
	// Close releases the source's file or handle.
	Close() error
}
