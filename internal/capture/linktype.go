package capture

import "strconv"

// LinkType is a pcap LINKTYPE_ value: what a frame's first byte is.
type LinkType uint32

// The link types this package decodes. Other values are carried through so
// that the report can name them, and their frames are counted as unsupported.
const (
	LinkNull      LinkType = 0   // BSD loopback: 4-byte address family in the writer's byte order
	LinkEthernet  LinkType = 1   // Ethernet (a veth), with 802.1Q/802.1ad tags
	LinkRawBSD12  LinkType = 12  // raw IP as some BSDs number it
	LinkRawBSD14  LinkType = 14  // raw IP as OpenBSD numbers it
	LinkRaw       LinkType = 101 // raw IPv4 or IPv6, told apart by the version nibble
	LinkLoop      LinkType = 108 // OpenBSD loopback: address family in network byte order
	LinkLinuxSLL  LinkType = 113 // Linux cooked v1 (tcpdump -i any before libpcap 1.10)
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkNFLOG     LinkType = 239 // Linux netfilter log (tcpdump -i nflog:N): TLVs around the IP packet
	LinkLinuxSLL2 LinkType = 276 // Linux cooked v2 (tcpdump -i any since libpcap 1.10)

	// LinkUnknown marks an interface whose link type the source does not
	// know: tcpdump text printed without -e.
	LinkUnknown LinkType = 0xFFFFFFFF
)

var linkNames = map[LinkType]string{
	LinkNull: "NULL", LinkEthernet: "EN10MB", LinkRawBSD12: "RAW", LinkRawBSD14: "RAW",
	LinkRaw: "RAW", LinkLoop: "LOOP", LinkLinuxSLL: "LINUX_SLL", LinkIPv4: "IPV4",
	LinkIPv6: "IPV6", LinkLinuxSLL2: "LINUX_SLL2", LinkNFLOG: "NFLOG", LinkUnknown: "UNKNOWN",
	// Names of common link types this package does not decode, so that the
	// warnings about them read like tcpdump's.
	6: "IEEE802", 8: "SLIP", 9: "PPP", 10: "FDDI", 50: "PPP_HDLC", 51: "PPP_ETHER",
	104: "C_HDLC", 105: "IEEE802_11", 107: "FRELAY", 117: "PFLOG", 127: "IEEE802_11_RADIO",
	129: "ARCNET_LINUX", 195: "IEEE802_15_4", 249: "USBPCAP",
}

// String returns the DLT name tcpdump uses ("EN10MB", "LINUX_SLL2"), or
// "LINKTYPE_<n>" for a value without a known name.
func (l LinkType) String() string {
	if n, ok := linkNames[l]; ok {
		return n
	}
	return "LINKTYPE_" + strconv.FormatUint(uint64(l), 10)
}

// Supported reports whether frames of this link type are decoded.
func (l LinkType) Supported() bool {
	switch l {
	case LinkNull, LinkEthernet, LinkRawBSD12, LinkRawBSD14, LinkRaw, LinkLoop,
		LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2, LinkNFLOG:
		return true
	}
	return false
}
