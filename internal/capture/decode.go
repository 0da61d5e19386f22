package capture

import "encoding/binary"

var be = binary.BigEndian

// Decode reads the frame data of the given link type into p. It sets the
// fields a frame holds (addresses, ports, TCP header, payload, and the
// direction and interface index of Linux cooked headers) and leaves Num,
// Time, Interface and Length to the caller. It returns Decoded when p holds a
// TCP or UDP packet, or the reason it does not. It never allocates and never
// panics on any input; p.Payload aliases data.
func Decode(link LinkType, data []byte, p *Packet) Outcome {
	p.Direction, p.IfIndex = DirUnknown, 0
	switch link {
	case LinkEthernet:
		return decodeEthernet(data, p)
	case LinkLinuxSLL:
		return decodeSLL(data, p)
	case LinkLinuxSLL2:
		return decodeSLL2(data, p)
	case LinkNull, LinkLoop:
		return decodeNull(data, p)
	case LinkRaw, LinkRawBSD12, LinkRawBSD14:
		return decodeIP(data, p)
	case LinkIPv4:
		return decodeIPv4(data, p)
	case LinkIPv6:
		return decodeIPv6(data, p)
	case LinkNFLOG:
		return decodeNFLOG(data, p)
	}
	return UnsupportedLink
}

// The EtherTypes this package follows.
const (
	etherIPv4   = 0x0800
	etherIPv6   = 0x86DD
	etherVLAN   = 0x8100 // 802.1Q
	etherQinQ   = 0x88A8 // 802.1ad service tag
	etherQinQv1 = 0x9100 // the pre-standard QinQ tag some switches still send
)

// maxVLANTags bounds the tag stack so that a frame of repeated tags costs a
// fixed amount of work.
const maxVLANTags = 4

// decodeEtherType continues after a link header whose protocol field is an
// EtherType, following VLAN tags.
func decodeEtherType(etherType uint16, data []byte, p *Packet) Outcome {
	for tags := 0; ; tags++ {
		switch etherType {
		case etherIPv4:
			return decodeIPv4(data, p)
		case etherIPv6:
			return decodeIPv6(data, p)
		case etherVLAN, etherQinQ, etherQinQv1:
			if tags == maxVLANTags {
				return Malformed
			}
			if len(data) < 4 {
				return Truncated
			}
			etherType = be.Uint16(data[2:4])
			data = data[4:]
		default:
			return NotIP
		}
	}
}

// decodeIP is raw IP: the version nibble says which.
func decodeIP(data []byte, p *Packet) Outcome {
	if len(data) < 1 {
		return Truncated
	}
	switch data[0] >> 4 {
	case 4:
		return decodeIPv4(data, p)
	case 6:
		return decodeIPv6(data, p)
	}
	return Malformed
}
