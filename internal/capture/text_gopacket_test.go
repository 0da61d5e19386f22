package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// TestTextMatchesGopacket reads two real captures with gopacket and the
// text tcpdump printed for them (-n -S, so that sequence numbers are
// absolute; -e for the cooked one, so that frames have lengths), and checks
// that the text reader returns the same TCP and UDP packets, field for
// field, and counts every frame as a record.
func TestTextMatchesGopacket(t *testing.T) {
	for _, tc := range []struct {
		name, pcap, text string
		withLink         bool
	}{
		{name: "ethernet", pcap: "veth.pcap", text: "veth-n-S.txt"},
		{name: "linux cooked v2 with -e", pcap: "any.pcap", text: "any-n-S-e.txt", withLink: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, frames := gopacketPackets(t, filepath.Join("testdata", "text", tc.pcap), tc.withLink)
			in, err := os.ReadFile(filepath.Join("testdata", "text", tc.text))
			require.NoError(t, err)
			compareWithGopacket(t, want, frames, in)
		})
	}
}

// TestTextMatchesLiveTcpdump runs the tcpdump installed here on the two
// captures with more option sets and checks its text against gopacket in
// the same way. It is skipped where tcpdump is not installed.
func TestTextMatchesLiveTcpdump(t *testing.T) {
	tcpdump := testenv.Tool(t, "tcpdump", "apt-get install -y tcpdump")
	for _, tc := range []struct {
		pcap             string
		args             []string
		withLink, withIP bool
	}{
		// -vv prints the seq of a bare ACK too, which the others leave out.
		{pcap: "veth.pcap", args: []string{"-n", "-S"}},
		{pcap: "veth.pcap", args: []string{"-nn", "-S", "-v"}, withIP: true},
		{pcap: "veth.pcap", args: []string{"-nn", "-S", "-e", "-v"}, withLink: true, withIP: true},
		{pcap: "veth.pcap", args: []string{"-nn", "-S", "-#"}},
		{pcap: "veth.pcap", args: []string{"-nn", "-S", "-x"}},
		{pcap: "any.pcap", args: []string{"-nn", "-S", "-e", "-v"}, withLink: true, withIP: true},
		{pcap: "any.pcap", args: []string{"-nn", "-S", "-X", "-l"}},
	} {
		t.Run(tc.pcap+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			path := filepath.Join("testdata", "text", tc.pcap)
			cmd := exec.Command(tcpdump, append(tc.args, "-r", path)...)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			want, frames := gopacketPacketsWith(t, path, tc.withLink, tc.withIP)
			compareWithGopacket(t, want, frames, out)
		})
	}
}

// compareWithGopacket reads text and checks it against what gopacket read
// from the same capture.
func compareWithGopacket(t *testing.T, want []Packet, frames int, text []byte) {
	t.Helper()
	require.NotEmpty(t, want)
	got, info := readAllText(t, "text", bytes.NewReader(text))
	assert.Equal(t, frames, info.Records, "every frame is one record")
	names := map[int32]string{}
	for i, p := range got {
		// An interface index is one name; line numbers and the text's
		// own interface numbering have no counterpart in the pcap.
		name := info.Interfaces[p.Interface].Name
		if prev, ok := names[p.IfIndex]; ok && p.IfIndex != 0 {
			assert.Equal(t, prev, name, "ifindex %d", p.IfIndex)
		}
		names[p.IfIndex] = name
		got[i].Num, got[i].Interface = 0, 0
	}
	assert.Equal(t, formatTextPackets(want), formatTextPackets(got), "(-want +got)")
}

// gopacketPackets decodes the TCP and UDP packets of a pcap file with
// gopacket into the fields tcpdump's text shows. Times keep only the time of
// day, on tcpdump text's undated day (the text was printed with TZ=UTC).
func gopacketPackets(t *testing.T, path string, withLink bool) ([]Packet, int) {
	return gopacketPacketsWith(t, path, withLink, false)
}

// gopacketPacketsWith also keeps the TTL and IP ID, which tcpdump prints
// with -v, when withIP is set.
func gopacketPacketsWith(t *testing.T, path string, withLink, withIP bool) ([]Packet, int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	link, records := splitPcap(t, raw)
	var out []Packet
	frames := 0
	for _, rec := range records {
		frames++
		data, ci := rec.data, rec.ci
		pkt := gopacket.NewPacket(data, link, gopacket.Default)
		ts := ci.Timestamp.UTC()
		p := Packet{Time: time.Date(1970, 1, 1, ts.Hour(), ts.Minute(), ts.Second(), ts.Nanosecond(), time.UTC)}
		if withLink {
			p.Length = ci.Length
		}
		if sll, ok := pkt.LinkLayer().(*layers.LinuxSLL2); ok {
			// tcpdump prints the direction of a cooked frame always,
			// its interface index only with -e.
			if withLink {
				p.IfIndex = int32(sll.InterfaceIndex)
			}
			switch sll.PacketType {
			case layers.LinuxSLL2PacketTypeHost:
				p.Direction = DirIn
			case layers.LinuxSLL2PacketTypeOutgoing:
				p.Direction = DirOut
			default:
				p.Direction = DirOther
			}
		}
		if gopacketTransport(pkt, &p) {
			if withIP {
				switch ip := pkt.NetworkLayer().(type) {
				case *layers.IPv4:
					p.TTL, p.IPID = ip.TTL, ip.Id
				case *layers.IPv6:
					p.TTL = ip.HopLimit
				}
			}
			out = append(out, p)
		}
	}
	return out, frames
}

// gopacketTransport fills p's addresses and transport; it reports false for
// frames tcpdump's text does not show as TCP or UDP. gopacket leaves the
// transport of a first fragment undecoded, so that is read here.
func gopacketTransport(pkt gopacket.Packet, p *Packet) bool {
	var src, dst netip.Addr
	var payload []byte
	var proto layers.IPProtocol
	switch ip := pkt.NetworkLayer().(type) {
	case *layers.IPv4:
		src, _ = netip.AddrFromSlice(ip.SrcIP)
		dst, _ = netip.AddrFromSlice(ip.DstIP)
		if ip.FragOffset != 0 {
			return false
		}
		payload, proto = ip.Payload, ip.Protocol
	case *layers.IPv6:
		src, _ = netip.AddrFromSlice(ip.SrcIP)
		dst, _ = netip.AddrFromSlice(ip.DstIP)
		payload, proto = ip.Payload, ip.NextHeader
		if frag, ok := pkt.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment); ok {
			if frag.FragmentOffset != 0 {
				return false
			}
			payload, proto = frag.Payload, frag.NextHeader
		}
	default:
		return false
	}
	if tcp, ok := pkt.TransportLayer().(*layers.TCP); ok {
		p.Transport = TCP
		p.Src, p.Dst = netip.AddrPortFrom(src, uint16(tcp.SrcPort)), netip.AddrPortFrom(dst, uint16(tcp.DstPort))
		p.Seq, p.Ack, p.Window = tcp.Seq, tcp.Ack, tcp.Window
		for _, f := range []struct {
			set  bool
			flag TCPFlags
		}{{tcp.FIN, FlagFIN}, {tcp.SYN, FlagSYN}, {tcp.RST, FlagRST}, {tcp.PSH, FlagPSH}, {tcp.ACK, FlagACK}, {tcp.URG, FlagURG}, {tcp.ECE, FlagECE}, {tcp.CWR, FlagCWR}} {
			if f.set {
				p.Flags |= f.flag
			}
		}
		if !tcp.ACK {
			p.Ack = 0 // tcpdump prints no ack without the flag
		}
		for _, o := range tcp.Options {
			if o.OptionType == layers.TCPOptionKindTimestamps && len(o.OptionData) >= 4 {
				p.TSVal, p.HasTS = binary.BigEndian.Uint32(o.OptionData), true
			}
		}
		p.PayloadLen = len(tcp.Payload)
		if p.Flags&(FlagSYN|FlagFIN|FlagRST) == 0 && p.PayloadLen == 0 {
			p.Seq = 0 // tcpdump prints no seq for a bare ACK
		}
		return true
	}
	var udp layers.UDP
	if proto != layers.IPProtocolUDP || udp.DecodeFromBytes(payload, gopacket.NilDecodeFeedback) != nil {
		return false
	}
	p.Transport = UDP
	p.Src, p.Dst = netip.AddrPortFrom(src, uint16(udp.SrcPort)), netip.AddrPortFrom(dst, uint16(udp.DstPort))
	p.PayloadLen = int(udp.Length) - 8
	return true
}

type pcapRecord struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// splitPcap reads a pcap file, the kind tcpdump -w writes here, with
// gopacket's pcapgo.Reader, so that the comparison does not go through
// this package's reader.
func splitPcap(t *testing.T, b []byte) (layers.LinkType, []pcapRecord) {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	var out []pcapRecord
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return r.LinkType(), out
		}
		require.NoError(t, err)
		out = append(out, pcapRecord{data: data, ci: ci})
	}
}
