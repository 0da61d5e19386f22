package capture

// Linux cooked capture headers, written by libpcap for the "any" device.
// https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINUX_SLL2.html
const (
	sllHeaderLen  = 16
	sll2HeaderLen = 20

	// ARPHRD_NETLINK frames carry netlink messages, not an EtherType.
	arphrdNetlink = 824
)

// sllDirection maps the Linux packet type (PACKET_HOST, ...) to a Direction.
func sllDirection(pktType uint16) Direction {
	switch pktType {
	case 0: // PACKET_HOST: to us
		return DirIn
	case 4: // PACKET_OUTGOING: sent by us
		return DirOut
	case 1, 2, 3: // broadcast, multicast, another host
		return DirOther
	}
	return DirUnknown
}

// decodeSLL reads LINUX_SLL: packet type, ARPHRD type, address length,
// 8 address bytes, protocol.
func decodeSLL(data []byte, p *Packet) Outcome {
	if len(data) < sllHeaderLen {
		return Truncated
	}
	p.Direction = sllDirection(be.Uint16(data[0:2]))
	if be.Uint16(data[2:4]) == arphrdNetlink {
		return NotIP
	}
	return decodeEtherType(be.Uint16(data[14:16]), data[sllHeaderLen:], p)
}

// decodeSLL2 reads LINUX_SLL2: protocol, reserved, interface index, ARPHRD
// type, packet type, address length, 8 address bytes.
func decodeSLL2(data []byte, p *Packet) Outcome {
	if len(data) < sll2HeaderLen {
		return Truncated
	}
	p.IfIndex = int32(be.Uint32(data[4:8]))
	p.Direction = sllDirection(uint16(data[10]))
	if be.Uint16(data[8:10]) == arphrdNetlink {
		return NotIP
	}
	return decodeEtherType(be.Uint16(data[0:2]), data[sll2HeaderLen:], p)
}
