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

// fuzzLinkIndex returns the index in fuzzLinks of a link type Decode
// handles; the raw IP numberings of the BSDs decode as LinkRaw.
func fuzzLinkIndex(l LinkType) (uint8, bool) {
	if l == LinkRawBSD12 || l == LinkRawBSD14 {
		l = LinkRaw
	}
	for i, fl := range fuzzLinks {
		if fl.link == l {
			return uint8(i), true
		}
	}
	return 0, false
}

// FuzzDecode checks that Decode never panics and that it agrees with
// gopacket's full decoder, which serves as the reference:
//   - whenever both find a TCP or UDP header, on the protocol, addresses,
//     ports and the TCP fields a flow keeps (sequence, ack, flags, window);
//   - when Decode finds one, gopacket finds the same protocol or fails on a
//     layer (Decode reads past IPv4 options and TCP options that gopacket
//     rejects, since they do not change the flow);
//   - when gopacket decodes a TCP or UDP header without error, through only
//     the layers Decode follows (link header, VLAN tags, IPv4 or IPv6 and
//     its extension headers), Decode finds it too.
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
	// An IPv4 total length of 0, as TCP segmentation offload writes it.
	tso := append([]byte(nil), syn[14:]...)
	tso[2], tso[3] = 0, 0
	f.Add(uint8(6), tso)
	// Frames of tcpdump's test corpus (when present), chosen for the edges
	// they probe; corpusDecodeSeeds says which.
	for _, s := range corpusDecodeSeeds(f) {
		f.Add(s.link, s.frame)
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		l := fuzzLinks[int(which)%len(fuzzLinks)]
		var p Packet
		o := Decode(l.link, data, &p)
		if o == Decoded {
			if !p.Src.Addr().IsValid() || !p.Dst.Addr().IsValid() || (p.Transport != TCP && p.Transport != UDP) {
				t.Fatalf("decoded packet is incomplete: %+v", p)
			}
			if len(p.Payload) > p.PayloadLen || p.PayloadLen < 0 {
				t.Fatalf("payload %d bytes of declared %d", len(p.Payload), p.PayloadLen)
			}
		}
		checkAgainstGopacket(t, l.decoder, data, o, &p)
	})
}

// gopacketView is what gopacket's full decode says of a frame.
type gopacketView struct {
	transport gopacket.TransportLayer // the first transport layer, or nil
	network   gopacket.NetworkLayer   // the network layer just before it
	// plain is true when every layer up to the transport is one Decode
	// follows: no tunnels, LLC, MPLS, PPPoE or IP in IP.
	plain bool
	// failed is true when gopacket gave up on a layer.
	failed bool
	// fragment is true when gopacket left an IP fragment undecoded. It does
	// so for the first fragment too, whose transport header Decode reads.
	fragment bool
}

// decodeLayers are the layers Decode follows on its way to TCP or UDP.
var decodeLayers = map[gopacket.LayerType]bool{
	layers.LayerTypeEthernet: true, layers.LayerTypeLinuxSLL: true, layers.LayerTypeLinuxSLL2: true,
	layers.LayerTypeLoopback: true, layers.LayerTypeDot1Q: true,
	layers.LayerTypeIPv4: true, layers.LayerTypeIPv6: true,
	layers.LayerTypeIPv6HopByHop: true, layers.LayerTypeIPv6Routing: true, layers.LayerTypeIPv6Fragment: true,
	layers.LayerTypeIPv6Destination: true, layers.LayerTypeIPSecAH: true,
}

func viewOf(data []byte, decoder gopacket.Decoder) gopacketView {
	pkt := gopacket.NewPacket(data, decoder, gopacket.DecodeOptions{NoCopy: true})
	v := gopacketView{plain: true, failed: pkt.ErrorLayer() != nil}
	networks := 0
	for _, layer := range pkt.Layers() {
		if layer.LayerType() == gopacket.LayerTypeFragment {
			v.fragment = true
		}
		if tl, ok := layer.(gopacket.TransportLayer); ok {
			v.transport = tl
			break
		}
		if nl, ok := layer.(gopacket.NetworkLayer); ok {
			v.network = nl
			networks++
			// gopacket reads an IP header whatever its version nibble
			// says; Decode calls a version that contradicts the
			// EtherType malformed.
			switch ip := nl.(type) {
			case *layers.IPv4:
				v.plain = v.plain && ip.Version == 4
			case *layers.IPv6:
				v.plain = v.plain && ip.Version == 6
			}
		}
		if !decodeLayers[layer.LayerType()] || networks > 1 {
			v.plain = false
		}
	}
	return v
}

func checkAgainstGopacket(t *testing.T, decoder gopacket.Decoder, data []byte, o Outcome, p *Packet) {
	t.Helper()
	v := viewOf(data, decoder)
	if o != Decoded {
		// gopacket decoded a TCP or UDP header without error through
		// layers Decode follows: Decode must have found it too.
		if v.plain && !v.failed && v.network != nil && isTCPorUDP(v.transport) {
			t.Fatalf("gopacket decodes %v > %v (%v), Decode says %v", v.network.NetworkFlow().Src(), v.network.NetworkFlow().Dst(),
				v.transport.LayerType(), o)
		}
		return
	}
	if v.transport == nil || v.network == nil {
		if !v.failed && !v.fragment {
			t.Fatalf("Decode says %v %v > %v; gopacket finds no transport and reports no error", p.Transport, p.Src, p.Dst)
		}
		return
	}
	var src, dst netip.AddrPort
	nf := v.network.NetworkFlow()
	switch tl := v.transport.(type) {
	case *layers.TCP:
		if p.Transport != TCP {
			t.Fatalf("gopacket says TCP, Decode says %v", p.Transport)
		}
		src, dst = addrPort(nf.Src().Raw(), uint16(tl.SrcPort)), addrPort(nf.Dst().Raw(), uint16(tl.DstPort))
		if tl.Seq != p.Seq || tl.Ack != p.Ack || tl.Window != p.Window || TCPFlags(tl.Contents[13]) != p.Flags {
			t.Fatalf("gopacket says seq %d ack %d win %d flags %v, Decode says seq %d ack %d win %d flags %v",
				tl.Seq, tl.Ack, tl.Window, TCPFlags(tl.Contents[13]), p.Seq, p.Ack, p.Window, p.Flags)
		}
	case *layers.UDP:
		if p.Transport != UDP {
			t.Fatalf("gopacket says UDP, Decode says %v", p.Transport)
		}
		src, dst = addrPort(nf.Src().Raw(), uint16(tl.SrcPort)), addrPort(nf.Dst().Raw(), uint16(tl.DstPort))
	default:
		t.Fatalf("gopacket says %v, Decode says %v", v.transport.LayerType(), p.Transport)
	}
	if src != p.Src || dst != p.Dst {
		t.Fatalf("gopacket says %v > %v, Decode says %v > %v", src, dst, p.Src, p.Dst)
	}
}

func isTCPorUDP(tl gopacket.TransportLayer) bool {
	switch tl.(type) {
	case *layers.TCP, *layers.UDP:
		return true
	}
	return false
}

func addrPort(raw []byte, port uint16) netip.AddrPort {
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a, port)
}

// TestDecodeAgainstGopacket keeps the inputs FuzzDecode found where Decode
// and gopacket differ by design, one row each; checkAgainstGopacket must
// accept them.
func TestDecodeAgainstGopacket(t *testing.T) {
	tests := []struct {
		name  string
		link  LinkType
		frame []byte
		want  Outcome
	}{
		// gopacket reads an IPv4 header whatever its version nibble says.
		{name: "ipv4 ethertype with version 2", link: LinkEthernet,
			frame: []byte("000000000000\b\x00%00000\x00\x000\x11000000000000000000"), want: Malformed},
		// gopacket leaves the first fragment's transport header undecoded.
		{name: "first fragment carries the tcp header", link: LinkEthernet,
			frame: []byte("000000000000\b\x00E00000 \x000\x060000000000000000000000X00000000"), want: Decoded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			o := Decode(tt.link, tt.frame, &p)
			if o != tt.want {
				t.Fatalf("Decode says %v, want %v", o, tt.want)
			}
			i, _ := fuzzLinkIndex(tt.link)
			checkAgainstGopacket(t, fuzzLinks[i].decoder, tt.frame, o, &p)
		})
	}
}
