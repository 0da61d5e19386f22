package report

import "strings"

// ClientFrom says how the client of a flow was told. Anything but BySyn and
// BySynAck is an inference.
type ClientFrom uint8

const (
	// BySyn: it sent the SYN.
	BySyn ClientFrom = iota
	// BySynAck: the other side sent the SYN-ACK.
	BySynAck
	// ByPayload: it sent a TLS ClientHello or an HTTP request.
	ByPayload
	// ByInventory: the other side is a service or an endpoint.
	ByInventory
	// ByPorts: the other side's port looks more like a server's.
	ByPorts
	// ByFirstPacket: it sent first, for lack of anything better.
	ByFirstPacket
	// ByNAT: the endpoint both legs of a NATed connection share.
	ByNAT
	numClientFrom
)

var clientFromNames = [numClientFrom]string{BySyn: "syn", BySynAck: "syn-ack", ByPayload: "payload", ByInventory: "inventory",
	ByPorts: "ports", ByFirstPacket: "first-packet", ByNAT: "nat"}

func (c ClientFrom) String() string {
	if c < numClientFrom {
		return clientFromNames[c]
	}
	return "invalid"
}

// MarshalText writes the name.
func (c ClientFrom) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Handshake is what a capture shows of a TCP connection's handshake. The
// zero value means none applies (UDP).
type Handshake uint8

const (
	handshakeNone Handshake = iota
	// HandshakeComplete: SYN and SYN-ACK seen.
	HandshakeComplete
	// HandshakeSyn: a SYN, no SYN-ACK.
	HandshakeSyn
	// HandshakeSynAck: a SYN-ACK, no SYN.
	HandshakeSynAck
	// HandshakeMissing: neither: the capture started mid-connection.
	HandshakeMissing
	numHandshakes
)

var handshakeNames = [numHandshakes]string{HandshakeComplete: "complete", HandshakeSyn: "syn", HandshakeSynAck: "syn-ack", HandshakeMissing: "none"}

func (h Handshake) String() string {
	if h < numHandshakes {
		return handshakeNames[h]
	}
	return "invalid"
}

// IsZero reports whether no handshake applies.
func (h Handshake) IsZero() bool { return h == handshakeNone }

// MarshalText writes the name.
func (h Handshake) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// Interfaces lists the interfaces a flow was seen on, each once, in the
// order first seen. JSON and YAML write them comma-separated.
type Interfaces []string

func (l Interfaces) String() string { return strings.Join(l, ",") }

// MarshalText writes the list comma-separated.
func (l Interfaces) MarshalText() ([]byte, error) { return []byte(l.String()), nil }
