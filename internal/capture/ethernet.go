package capture

const ethernetHeaderLen = 14

// decodeEthernet reads an Ethernet II header. An 802.3 frame (length field
// instead of an EtherType) carries LLC, never IP here.
func decodeEthernet(data []byte, p *Packet) Outcome {
	if len(data) < ethernetHeaderLen {
		return Truncated
	}
	etherType := be.Uint16(data[12:14])
	if etherType < 0x0600 {
		return NotIP
	}
	return decodeEtherType(etherType, data[ethernetHeaderLen:], p)
}
