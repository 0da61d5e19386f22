package capture

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	macClient = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x34}
	macServer = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	v4Client  = netip.MustParseAddr("10.244.2.34")
	v4Server  = netip.MustParseAddr("10.244.2.32")
	v6Client  = netip.MustParseAddr("fd00:10:244::5")
	v6Server  = netip.MustParseAddr("fd00:10:96::1")
)

// serialize builds a frame from layers, with lengths and checksums fixed.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	for _, l := range ls {
		if tl, ok := l.(interface {
			SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
		}); ok {
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					require.NoError(t, tl.SetNetworkLayerForChecksum(nl))
				}
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...))
	return append([]byte(nil), buf.Bytes()...)
}

func ip4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Flags: layers.IPv4DontFragment, Protocol: proto,
		SrcIP: v4Client.AsSlice(), DstIP: v4Server.AsSlice()}
}

func ip6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 63, NextHeader: next, SrcIP: v6Client.AsSlice(), DstIP: v6Server.AsSlice()}
}

func tcpSyn() *layers.TCP {
	return &layers.TCP{SrcPort: 42122, DstPort: 9080, Seq: 1197298391, SYN: true, Window: 64240,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
			{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: []byte{0x38, 0xe6, 0x9d, 0x64, 0, 0, 0, 0}},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		}}
}

func tcpData() *layers.TCP {
	return &layers.TCP{SrcPort: 44644, DstPort: 9080, Seq: 3112, Ack: 5085, PSH: true, ACK: true, Window: 684}
}

func ether(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macClient, DstMAC: macServer, EthernetType: t}
}

// etherHeader is a bare Ethernet header; gopacket would pad a lone one to 60 bytes.
func etherHeader(etherType uint16) []byte {
	h := append(append([]byte(nil), macServer...), macClient...)
	return binary.BigEndian.AppendUint16(h, etherType)
}

// sll2 prepends a Linux cooked v2 header to an IP packet.
func sll2(proto uint16, ifindex uint32, pktType byte, ip []byte) []byte {
	h := make([]byte, 20, 20+len(ip))
	binary.BigEndian.PutUint16(h[0:2], proto)
	binary.BigEndian.PutUint32(h[4:8], ifindex)
	binary.BigEndian.PutUint16(h[8:10], 1) // ARPHRD_ETHER
	h[10], h[11] = pktType, 6
	copy(h[12:], macClient)
	return append(h, ip...)
}

// sll prepends a Linux cooked v1 header.
func sll(pktType, proto uint16, ip []byte) []byte {
	h := make([]byte, 16, 16+len(ip))
	binary.BigEndian.PutUint16(h[0:2], pktType)
	binary.BigEndian.PutUint16(h[2:4], 1)
	binary.BigEndian.PutUint16(h[4:6], 6)
	copy(h[6:], macClient)
	binary.BigEndian.PutUint16(h[14:16], proto)
	return append(h, ip...)
}

func null(order binary.ByteOrder, family uint32, ip []byte) []byte {
	h := make([]byte, 4, 4+len(ip))
	order.PutUint32(h, family)
	return append(h, ip...)
}

func TestDecode(t *testing.T) {
	payload := gopacket.Payload(make([]byte, 778))
	synV4 := serialize(t, ip4(layers.IPProtocolTCP), tcpSyn())
	dataV6 := serialize(t, ip6(layers.IPProtocolTCP), tcpData(), payload)
	udpV4 := serialize(t, ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 33333, DstPort: 53}, gopacket.Payload([]byte("dnsquery!")))
	hbh := &layers.IPv6HopByHop{}
	hbh.NextHeader = layers.IPProtocolTCP
	hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 1, OptionLength: 4, OptionData: []byte{0, 0, 0, 0}}}
	withExt := serialize(t, ip6(layers.IPProtocolIPv6HopByHop), hbh, tcpData(), payload)
	fragment := serialize(t, &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, FragOffset: 185,
		SrcIP: v4Client.AsSlice(), DstIP: v4Server.AsSlice()}, gopacket.Payload(make([]byte, 40)))
	badIHL := append([]byte(nil), synV4...)
	badIHL[0] = 0x44
	badDoff := append([]byte(nil), synV4...)
	badDoff[20+12] = 0x30
	shortTotal := append([]byte(nil), synV4...)
	binary.BigEndian.PutUint16(shortTotal[2:4], 12)
	short := serialize(t, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData())
	padded := append(append([]byte(nil), short...), make([]byte, 60-len(short))...)

	tests := []struct {
		name    string
		link    LinkType
		frame   []byte
		want    Outcome
		src     string
		dst     string
		flags   TCPFlags
		payload int
		ipid    uint16
		tsval   uint32
		dir     Direction
		ifIndex int32
	}{
		{name: "ethernet ipv4 syn with options", link: LinkEthernet, frame: append(etherHeader(etherIPv4), synV4...),
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64},
		{name: "ethernet padded to 60 bytes keeps ip length", link: LinkEthernet, frame: padded,
			want: Decoded, src: "10.244.2.34:44644", dst: "10.244.2.32:9080", flags: FlagPSH | FlagACK, ipid: 0x1234},
		{name: "ethernet ipv6 data", link: LinkEthernet, frame: append(etherHeader(etherIPv6), dataV6...),
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778},
		{name: "802.1Q tag", link: LinkEthernet, frame: serialize(t, ether(layers.EthernetTypeDot1Q),
			&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4}, ip4(layers.IPProtocolTCP), tcpSyn()),
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64},
		{name: "QinQ tags", link: LinkEthernet, frame: serialize(t, ether(layers.EthernetTypeQinQ),
			&layers.Dot1Q{VLANIdentifier: 10, Type: layers.EthernetTypeDot1Q}, &layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
			ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 33333, DstPort: 53}, gopacket.Payload([]byte("q"))),
			want: Decoded, src: "10.244.2.34:33333", dst: "10.244.2.32:53", ipid: 0x1234, payload: 1},
		{name: "linux cooked v1 incoming", link: LinkLinuxSLL, frame: sll(0, 0x0800, synV4),
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64, dir: DirIn},
		{name: "linux cooked v2 outgoing with ifindex", link: LinkLinuxSLL2, frame: sll2(0x86DD, 9, 4, dataV6),
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778, dir: DirOut, ifIndex: 9},
		{name: "bsd null little-endian ipv4", link: LinkNull, frame: null(binary.LittleEndian, afInet, synV4),
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64},
		{name: "bsd null darwin ipv6", link: LinkNull, frame: null(binary.LittleEndian, afInet6Darwin, dataV6),
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778},
		{name: "openbsd loop network order", link: LinkLoop, frame: null(binary.BigEndian, afInet6BSD, dataV6),
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778},
		{name: "raw ipv4", link: LinkRaw, frame: synV4,
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64},
		{name: "raw ipv6 with hop-by-hop header", link: LinkIPv6, frame: withExt,
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778},
		{name: "ipv4 udp", link: LinkIPv4, frame: udpV4, want: Decoded, src: "10.244.2.34:33333", dst: "10.244.2.32:53", ipid: 0x1234, payload: 9},
		{name: "arp is not ip", link: LinkEthernet, frame: serialize(t, ether(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet,
			Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4, Operation: 1, SourceHwAddress: macClient,
			SourceProtAddress: v4Client.AsSlice(), DstHwAddress: make([]byte, 6), DstProtAddress: v4Server.AsSlice()}), want: NotIP},
		{name: "802.3 length field is llc", link: LinkEthernet, frame: append(append([]byte(nil), macServer...), append(macClient, 0, 40)...), want: NotIP},
		{name: "icmp is not tcp or udp", link: LinkIPv4, frame: serialize(t, ip4(layers.IPProtocolICMPv4),
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}), want: NotTCPUDP},
		{name: "non-first fragment has no ports", link: LinkRaw, frame: fragment, want: Fragment},
		{name: "ethernet header cut", link: LinkEthernet, frame: macServer, want: Truncated},
		{name: "tcp header cut by snaplen", link: LinkIPv4, frame: synV4[:30], want: Truncated},
		{name: "ipv4 header length below 20", link: LinkIPv4, frame: badIHL, want: Malformed},
		{name: "tcp data offset below 5", link: LinkIPv4, frame: badDoff, want: Malformed},
		{name: "ipv4 total length shorter than header", link: LinkIPv4, frame: shortTotal, want: Malformed},
		{name: "raw packet with version 5", link: LinkRaw, frame: []byte{0x50, 0, 0, 0}, want: Malformed},
		{name: "nflog ipv4 after a prefix attribute", link: LinkNFLOG, frame: nflog(afInet, synV4),
			want: Decoded, src: "10.244.2.34:42122", dst: "10.244.2.32:9080", flags: FlagSYN, ipid: 0x1234, tsval: 0x38e69d64},
		{name: "nflog ipv6", link: LinkNFLOG, frame: nflog(afInet6Linux, dataV6),
			want: Decoded, src: "[fd00:10:244::5]:44644", dst: "[fd00:10:96::1]:9080", flags: FlagPSH | FlagACK, payload: 778},
		{name: "nflog without a payload attribute", link: LinkNFLOG, frame: nflog(afInet, nil)[:16], want: NotIP},
		{name: "nflog attribute shorter than its header", link: LinkNFLOG, frame: []byte{2, 0, 0, 7, 2, 0, 9, 0}, want: Malformed},
		{name: "unsupported link type", link: LinkType(127), frame: synV4, want: UnsupportedLink},
		{name: "empty frame", link: LinkLinuxSLL2, frame: nil, want: Truncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			got := Decode(tt.link, tt.frame, &p)
			require.Equal(t, tt.want, got, "outcome")
			if tt.want != Decoded {
				return
			}
			assert.Equal(t, tt.src, p.Src.String())
			assert.Equal(t, tt.dst, p.Dst.String())
			assert.Equal(t, tt.flags, p.Flags)
			assert.Equal(t, tt.payload, p.PayloadLen)
			assert.Equal(t, tt.ipid, p.IPID)
			assert.Equal(t, tt.tsval, p.TSVal)
			assert.Equal(t, tt.tsval != 0, p.HasTS)
			assert.Equal(t, tt.dir, p.Direction)
			assert.Equal(t, tt.ifIndex, p.IfIndex)
			assert.LessOrEqual(t, len(p.Payload), p.PayloadLen)
		})
	}
}

// nflog frames ip as NFLOG does: the header (family, version 0, resource
// id 7), a prefix attribute "istio\0" padded to 4 bytes, then the payload
// attribute, lengths and types little-endian.
func nflog(family byte, ip []byte) []byte {
	b := []byte{family, 0, 0, 7}
	b = binary.LittleEndian.AppendUint16(b, 4+6)
	b = binary.LittleEndian.AppendUint16(b, 10) // NFULA_PREFIX
	b = append(b, "istio\x00\x00\x00"...)
	b = binary.LittleEndian.AppendUint16(b, uint16(4+len(ip)))
	b = binary.LittleEndian.AppendUint16(b, nflogPayload)
	return append(b, ip...)
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	frame := serialize(t, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpSyn())
	var p Packet
	allocs := testing.AllocsPerRun(1000, func() {
		if Decode(LinkEthernet, frame, &p) != Decoded {
			t.Fatal("not decoded")
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkDecode(b *testing.B) {
	frame := serialize(b, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpData(), gopacket.Payload(make([]byte, 1448)))
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		Decode(LinkEthernet, frame, &p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}
