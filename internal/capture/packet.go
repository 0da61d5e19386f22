package capture

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Transport is the transport protocol of a packet. The zero value is invalid.
type Transport uint8

const (
	// TCP is the Transmission Control Protocol (IP protocol 6).
	TCP Transport = 6
	// UDP is the User Datagram Protocol (IP protocol 17).
	UDP Transport = 17
)

// String returns "tcp", "udp" or "invalid".
func (t Transport) String() string {
	switch t {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return "invalid"
}

// TCPFlags holds the flags byte of a TCP header.
type TCPFlags uint8

// The TCP flags, in header bit order.
const (
	FlagFIN TCPFlags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	FlagECE
	FlagCWR
)

// Has reports whether all of want are set.
func (f TCPFlags) Has(want TCPFlags) bool { return f&want == want }

// String renders the flags the way tcpdump does: "S", "S.", "P.", "F.", "R", ".".
func (f TCPFlags) String() string {
	var b strings.Builder
	for _, c := range []struct {
		flag TCPFlags
		char byte
	}{{FlagSYN, 'S'}, {FlagFIN, 'F'}, {FlagPSH, 'P'}, {FlagRST, 'R'}, {FlagURG, 'U'}, {FlagECE, 'E'}, {FlagCWR, 'W'}} {
		if f&c.flag != 0 {
			b.WriteByte(c.char)
		}
	}
	if f&FlagACK != 0 {
		b.WriteByte('.')
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// Direction is the direction a cooked capture (tcpdump -i any) or tcpdump's
// text records for a packet relative to the capturing host.
type Direction uint8

const (
	// DirUnknown means the capture did not say.
	DirUnknown Direction = iota
	// DirIn is a packet addressed to the capturing host (SLL packet type 0, "In").
	DirIn
	// DirOut is a packet the host sent (SLL packet type 4, "Out").
	DirOut
	// DirOther is broadcast, multicast or another host's packet ("B", "M", "P").
	DirOther
)

// String returns "in", "out", "other" or "".
func (d Direction) String() string {
	switch d {
	case DirIn:
		return "in"
	case DirOut:
		return "out"
	case DirOther:
		return "other"
	}
	return ""
}

// UndatedDay is the day tcpdump text that prints only the time of day is
// placed on: the Unix epoch, so that times stay within what int64
// nanoseconds hold. Info.Undated marks such sources.
var UndatedDay = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// Packet is one TCP or UDP packet read from a source. Only Payload refers to
// the source's memory; every other field is a copy.
type Packet struct {
	// Num is the 1-based number of the record in its source, counting every
	// frame or text line that held a packet, decoded or not.
	Num int
	// Time is the capture timestamp. Text captures that print only the time of
	// day carry the date of UndatedDay.
	Time time.Time
	// Interface indexes the source's Info().Interfaces.
	Interface int
	// IfIndex is the interface index a Linux cooked v2 header carries; 0 when absent.
	IfIndex int32
	// Direction is set by Linux cooked headers and by tcpdump -i any text.
	Direction Direction

	Transport Transport
	Src, Dst  netip.AddrPort
	// IPID is the IPv4 identification field; 0 for IPv6.
	IPID uint16
	// TTL is the IPv4 TTL or IPv6 hop limit.
	TTL uint8

	// TCP header fields; zero for UDP.
	Flags  TCPFlags
	Seq    uint32
	Ack    uint32
	Window uint16
	// TSVal is the TCP timestamp option's value; HasTS says whether it was present.
	TSVal uint32
	HasTS bool

	// Length is the frame's length on the wire (the record's original length);
	// 0 when the source does not know it (tcpdump text).
	Length int
	// PayloadLen is the transport payload length the IP and TCP/UDP headers
	// declare, whether or not the capture kept those bytes.
	PayloadLen int
	// Payload is the part of the payload the capture kept. It aliases the
	// source's buffer and is valid until the next call to Next.
	Payload []byte
}

// MarshalText writes "tcp" or "udp", as reports spell a flow's protocol.
func (t Transport) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads "tcp" or "udp".
func (t *Transport) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "tcp":
		*t = TCP
	case "udp":
		*t = UDP
	default:
		return fmt.Errorf("unknown transport %q", b)
	}
	return nil
}
