package capture

import "encoding/binary"

// An NFLOG frame (LINKTYPE_NFLOG, what tcpdump -i nflog:N and iptables'
// NFLOG target write) is a 4-byte header, address family, version and
// resource id (the NFLOG group), then type-length-value attributes, one of
// which holds the packet from its IP header on. The attributes' length and
// type are in the writer's byte order, which libpcap takes as little-endian
// on the machines that write these files; each is padded to 4 bytes.
const (
	nflogHeaderLen = 4
	nflogTLVLen    = 4
	nflogPayload   = 9 // NFULA_PAYLOAD
)

func decodeNFLOG(data []byte, p *Packet) Outcome {
	if len(data) < nflogHeaderLen {
		return Truncated
	}
	family := data[0]
	for rest := data[nflogHeaderLen:]; len(rest) > 0; {
		if len(rest) < nflogTLVLen {
			return Truncated
		}
		n := int(binary.LittleEndian.Uint16(rest[0:2]))
		typ := binary.LittleEndian.Uint16(rest[2:4]) & 0x7FFF // the top bit marks a nested attribute
		if n < nflogTLVLen {
			return Malformed
		}
		if n > len(rest) {
			if typ == nflogPayload {
				n = len(rest) // cut by the snapshot length: decode what is there
			} else {
				return Truncated
			}
		}
		if typ == nflogPayload {
			value := rest[nflogTLVLen:n]
			switch family {
			case afInet:
				return decodeIPv4(value, p)
			case afInet6Linux:
				return decodeIPv6(value, p)
			}
			return NotIP
		}
		n = (n + 3) &^ 3
		if n > len(rest) {
			return Truncated
		}
		rest = rest[n:]
	}
	return NotIP
}
