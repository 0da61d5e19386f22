package capture

import "encoding/binary"

// BSD loopback (LINKTYPE_NULL) starts with the address family in the byte
// order of the machine that wrote the file; LINKTYPE_LOOP is meant to be
// network order but writers disagree. Both orders are tried.
const nullHeaderLen = 4

// The AF_INET6 values of the systems that write these link types.
const (
	afInet         = 2
	afInet6Linux   = 10
	afInet6BSD     = 24 // NetBSD, OpenBSD, BSD/OS
	afInet6FreeBSD = 28
	afInet6Darwin  = 30
)

func decodeNull(data []byte, p *Packet) Outcome {
	if len(data) < nullHeaderLen {
		return Truncated
	}
	family := binary.LittleEndian.Uint32(data[:4])
	if family > 0xFFFF {
		family = be.Uint32(data[:4])
	}
	switch family {
	case afInet:
		return decodeIPv4(data[nullHeaderLen:], p)
	case afInet6Linux, afInet6BSD, afInet6FreeBSD, afInet6Darwin:
		return decodeIPv6(data[nullHeaderLen:], p)
	}
	return NotIP
}
