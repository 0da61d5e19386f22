package capture

import (
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// fuzzLinks are the link types FuzzDecode chooses among, with the decoder
// gopacket uses for each.
var fuzzLinks = []struct {
	link    LinkType
	decoder gopacket.Decoder
}{
	{LinkEthernet, layers.LinkTypeEthernet},
	{LinkLinuxSLL, layers.LinkTypeLinuxSLL},
	{LinkLinuxSLL2, layers.LinkTypeLinuxSLL2},
	{LinkNull, layers.LinkTypeNull},
	{LinkLoop, layers.LinkTypeLoop},
	{LinkRaw, layers.LinkTypeRaw},
	{LinkIPv4, layers.LayerTypeIPv4},
	{LinkIPv6, layers.LayerTypeIPv6},
}

// FuzzDecode checks that Decode never panics and that whenever both it and
// gopacket's full decoder find a TCP or UDP header, they agree on the
// protocol, addresses and ports.
func FuzzDecode(f *testing.F) {
	syn := serialize(f, ether(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcpSyn())
	// A plain Ethernet IPv4 SYN with the options Linux sends.
	f.Add(uint8(0), syn)
	// The same IP packet behind a Linux cooked v2 header.
	f.Add(uint8(2), sll2(0x0800, 7, 0, syn[14:]))
	// IPv6 with a hop-by-hop header, as raw IPv6.
	hbh := &layers.IPv6HopByHop{}
	hbh.NextHeader = layers.IPProtocolTCP
	hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 1, OptionLength: 4, OptionData: []byte{0, 0, 0, 0}}}
	f.Add(uint8(7), serialize(f, ip6(layers.IPProtocolIPv6HopByHop), hbh, tcpData()))
	// UDP behind two VLAN tags.
	f.Add(uint8(0), serialize(f, ether(layers.EthernetTypeQinQ), &layers.Dot1Q{Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{Type: layers.EthernetTypeIPv4}, ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 53}))
	// A truncated TCP header.
	f.Add(uint8(6), syn[14:40])
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		l := fuzzLinks[int(which)%len(fuzzLinks)]
		var p Packet
		if Decode(l.link, data, &p) != Decoded {
			return
		}
		if !p.Src.Addr().IsValid() || !p.Dst.Addr().IsValid() || (p.Transport != TCP && p.Transport != UDP) {
			t.Fatalf("decoded packet is incomplete: %+v", p)
		}
		if len(p.Payload) > p.PayloadLen || p.PayloadLen < 0 {
			t.Fatalf("payload %d bytes of declared %d", len(p.Payload), p.PayloadLen)
		}
		pkt := gopacket.NewPacket(data, l.decoder, gopacket.DecodeOptions{NoCopy: true, Lazy: false})
		net, tr := pkt.NetworkLayer(), pkt.TransportLayer()
		if net == nil || tr == nil {
			return
		}
		var src, dst netip.AddrPort
		switch l := tr.(type) {
		case *layers.TCP:
			if p.Transport != TCP {
				t.Fatalf("gopacket says TCP, Decode says %v", p.Transport)
			}
			src, dst = addrPort(net.NetworkFlow().Src().Raw(), uint16(l.SrcPort)), addrPort(net.NetworkFlow().Dst().Raw(), uint16(l.DstPort))
		case *layers.UDP:
			if p.Transport != UDP {
				t.Fatalf("gopacket says UDP, Decode says %v", p.Transport)
			}
			src, dst = addrPort(net.NetworkFlow().Src().Raw(), uint16(l.SrcPort)), addrPort(net.NetworkFlow().Dst().Raw(), uint16(l.DstPort))
		default:
			return
		}
		if src != p.Src || dst != p.Dst {
			t.Fatalf("gopacket says %v > %v, Decode says %v > %v", src, dst, p.Src, p.Dst)
		}
	})
}

func addrPort(raw []byte, port uint16) netip.AddrPort {
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a, port)
}
