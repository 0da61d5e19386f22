package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAllText reads every packet of a text capture.
func readAllText(t testing.TB, name string, r io.Reader) ([]Packet, *Info) {
	t.Helper()
	s := newTextSource(name, r)
	var out []Packet
	for {
		var p Packet
		err := s.Next(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		out = append(out, p)
	}
	require.ErrorIs(t, s.Next(&Packet{}), io.EOF, "Next after the end")
	require.NoError(t, s.Close())
	return out, s.Info()
}

// dumpText renders what a text source read, one packet a line, for golden
// files.
func dumpText(pkts []Packet, info *Info) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format %s, %d records\n", info.Format, info.Records)
	for _, o := range Outcomes() {
		if n := info.Outcomes.Count(o); n > 0 {
			fmt.Fprintf(&b, "  %s: %d (first line %d)\n", o, n, info.Outcomes.First(o))
		}
	}
	for i, ifc := range info.Interfaces {
		fmt.Fprintf(&b, "interface %d %q %s\n", i, ifc.Name, ifc.LinkType)
	}
	fmt.Fprintf(&b, "first %s last %s\n", textStamp(info.First), textStamp(info.Last))
	for _, n := range info.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, p := range pkts {
		b.WriteString(formatTextPacket(p))
		b.WriteByte('\n')
	}
	return b.String()
}

func textStamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02T15:04:05.000000000")
}

func formatTextPackets(pkts []Packet) []string {
	out := []string{}
	for _, p := range pkts {
		out = append(out, formatTextPacket(p))
	}
	return out
}

func formatTextPacket(p Packet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "L%d %s if%d", p.Num, textStamp(p.Time), p.Interface)
	if p.Direction != DirUnknown {
		fmt.Fprintf(&b, " %s", p.Direction)
	}
	if p.IfIndex != 0 {
		fmt.Fprintf(&b, " ifindex=%d", p.IfIndex)
	}
	fmt.Fprintf(&b, " %s %s > %s", p.Transport, p.Src, p.Dst)
	if p.Transport == TCP {
		fmt.Fprintf(&b, " [%s] seq=%d ack=%d win=%d", p.Flags, p.Seq, p.Ack, p.Window)
		if p.HasTS {
			fmt.Fprintf(&b, " ts=%d", p.TSVal)
		}
	}
	if p.TTL != 0 || p.IPID != 0 {
		fmt.Fprintf(&b, " ttl=%d id=%d", p.TTL, p.IPID)
	}
	fmt.Fprintf(&b, " frame=%d payload=%d", p.Length, p.PayloadLen)
	return b.String()
}

// TestTextGolden reads every sample of real tcpdump output under
// testdata/text (see its README for how each was made) and compares what it
// read with the sample's golden file.
func TestTextGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "text", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			require.NoError(t, err)
			got := dumpText(readAllText(t, filepath.Base(file), bytes.NewReader(in)))
			golden := strings.TrimSuffix(file, ".txt") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./capture -run TestTextGolden -update")
			assert.Equal(t, string(want), got, "(-want +got)")
		})
	}
}

func TestTextSeedShell4(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "text", "shell4.txt"))
	require.NoError(t, err)
	pkts, info := readAllText(t, "shell4", bytes.NewReader(in))

	require.Len(t, pkts, 8)
	assert.Equal(t, 8, info.Records)
	assert.Equal(t, 8, info.Outcomes.Count(Decoded))
	servers := map[netip.Addr]bool{}
	for i, p := range pkts {
		assert.Equal(t, i+2, p.Num, "line numbers count the command line")
		assert.False(t, p.Flags.Has(FlagSYN), "packet %d", i)
		assert.Equal(t, uint16(9080), p.Dst.Port())
		assert.Equal(t, netip.MustParseAddr("10.244.2.34"), p.Src.Addr())
		servers[p.Dst.Addr()] = true
	}
	assert.Equal(t, map[netip.Addr]bool{
		netip.MustParseAddr("10.244.2.32"): true,
		netip.MustParseAddr("10.244.2.31"): true,
		netip.MustParseAddr("10.244.1.31"): true,
	}, servers)
	assert.Equal(t, Packet{
		Num: 2, Time: time.Date(1970, 1, 1, 14, 57, 2, 572059000, time.UTC), Transport: TCP,
		Src: netip.MustParseAddrPort("10.244.2.34:44644"), Dst: netip.MustParseAddrPort("10.244.2.32:9080"),
		Flags: FlagPSH | FlagACK, Seq: 3112, Ack: 5085, Window: 684, TSVal: 1627817850, HasTS: true, PayloadLen: 778,
	}, pkts[0])
	assert.Equal(t, []Interface{{Name: "", LinkType: LinkUnknown}}, info.Interfaces)
	assert.Equal(t, []string{"tcpdump text has no frame lengths: bytes count TCP/UDP payload only"}, info.Notes)
}

func TestTextSeedShell6(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "text", "shell6.txt"))
	require.NoError(t, err)
	pkts, info := readAllText(t, "shell6", bytes.NewReader(in))

	require.Len(t, pkts, 12)
	assert.Equal(t, 12, info.Outcomes.Count(Decoded))
	syns := 0
	for _, p := range pkts {
		assert.Equal(t, netip.MustParseAddrPort("10.96.209.151:9080"), p.Dst)
		if p.Flags == FlagSYN {
			syns++
			assert.Equal(t, uint16(64240), p.Window)
		}
	}
	assert.Equal(t, 2, syns)
	assert.Equal(t, Packet{
		Num: 1, Time: time.Date(1970, 1, 1, 15, 10, 6, 153435000, time.UTC), Transport: TCP,
		Src: netip.MustParseAddrPort("10.244.2.34:42122"), Dst: netip.MustParseAddrPort("10.96.209.151:9080"),
		Flags: FlagSYN, Seq: 1197298391, Window: 64240, TSVal: 954649444, HasTS: true,
	}, pkts[0])
	assert.Equal(t, time.Date(1970, 1, 1, 15, 10, 13, 732331000, time.UTC), info.Last)
}

// textCase is one row of the line tables: input text and what must come out.
type textCase struct {
	name string
	in   string
	want []Packet
	// outcomes, when set, must equal the counts of these outcomes.
	outcomes map[Outcome]int
	ifaces   []Interface
	notes    []string
}

func runTextCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, info := readAllText(t, tc.name, strings.NewReader(tc.in))
			if tc.want != nil || tc.outcomes[Decoded] == 0 {
				assert.Equal(t, formatTextPackets(tc.want), formatTextPackets(got), "(-want +got)")
			}
			if tc.outcomes != nil {
				gotOutcomes := map[Outcome]int{}
				for _, o := range Outcomes() {
					if n := info.Outcomes.Count(o); n > 0 {
						gotOutcomes[o] = n
					}
				}
				assert.Equal(t, tc.outcomes, gotOutcomes)
			}
			if tc.ifaces != nil {
				assert.Equal(t, tc.ifaces, info.Interfaces)
			}
			if tc.notes != nil {
				assert.Equal(t, tc.notes, append([]string{}, info.Notes...))
			}
		})
	}
}

var (
	textClient = netip.MustParseAddrPort("10.244.2.34:44644")
	textServer = netip.MustParseAddrPort("10.244.2.32:9080")
)

// clockAt is a time of day on tcpdump text's undated day.
func clockAt(h, m, s, ns int) time.Time { return time.Date(1970, 1, 1, h, m, s, ns, time.UTC) }

// TestTextTimestamps covers every timestamp option of tcpdump, on lines
// copied from its output.
func TestTextTimestamps(t *testing.T) {
	const body = " IP 10.244.2.34.44644 > 10.244.2.32.9080: Flags [.], ack 1, win 63, length 0\n"
	ack := func(num int, at time.Time) Packet {
		return Packet{Num: num, Time: at, Transport: TCP, Src: textClient, Dst: textServer, Flags: FlagACK, Ack: 1, Window: 63}
	}
	runTextCases(t, []textCase{
		{name: "time of day", in: "14:57:02.572059" + body, want: []Packet{ack(1, clockAt(14, 57, 2, 572059000))}},
		{name: "nano", in: "17:16:09.924505488" + body, want: []Packet{ack(1, clockAt(17, 16, 9, 924505488))}},
		{name: "-tt epoch", in: "1700000000.123456" + body, want: []Packet{ack(1, time.Unix(1700000000, 123456000).UTC())}},
		{name: "-tt nano", in: "1795891628.421385000" + body, want: []Packet{ack(1, time.Unix(1795891628, 421385000).UTC())}},
		{name: "-tttt", in: "2024-01-02 14:57:02.572059" + body, want: []Packet{ack(1, time.Date(2024, 1, 2, 14, 57, 2, 572059000, time.UTC))}},
		{name: "-ttt delta", in: " 00:00:00.000024" + body, want: []Packet{ack(1, clockAt(0, 0, 0, 24000))}},
		{name: "-ttt negative delta reads without its sign", in: "-00:00:00.000024" + body, want: []Packet{ack(1, clockAt(0, 0, 0, 24000))}},
		{name: "-ttttt past a day", in: " 25:00:01.000000" + body, want: []Packet{ack(1, time.Date(1970, 1, 2, 1, 0, 1, 0, time.UTC))}},
		{name: "-t none", in: strings.TrimPrefix(body, " "), want: []Packet{ack(1, time.Time{})}},
		{
			name: "midnight wrap adds a day",
			in:   "23:59:59.900000" + body + "23:59:59.950000" + body + "00:00:00.100000" + body + "00:00:00.050000" + body,
			want: []Packet{
				ack(1, clockAt(23, 59, 59, 900000000)), ack(2, clockAt(23, 59, 59, 950000000)),
				ack(3, time.Date(1970, 1, 2, 0, 0, 0, 100000000, time.UTC)), ack(4, time.Date(1970, 1, 2, 0, 0, 0, 50000000, time.UTC)),
			},
		},
		{
			name: "a small step back is reordering, not a day",
			in:   "10:00:00.500000" + body + "10:00:00.400000" + body,
			want: []Packet{ack(1, clockAt(10, 0, 0, 500000000)), ack(2, clockAt(10, 0, 0, 400000000))},
		},
		{name: "minute 60 is not a time", in: "14:60:02.572059" + body, outcomes: map[Outcome]int{}},
		{name: "ten fraction digits are not a time", in: "14:57:02.5720590000" + body, outcomes: map[Outcome]int{}},
	})
}

// TestTextLinkPrefixes covers what tcpdump prints between the timestamp and
// the network layer: -i any's interface and direction, -e headers, VLANs.
func TestTextLinkPrefixes(t *testing.T) {
	syn := func(num int) Packet {
		return Packet{Num: num, Time: clockAt(18, 50, 41, 685298000), Transport: TCP, Src: textClient, Dst: textServer,
			Flags: FlagSYN, Seq: 54128709, Window: 64240}
	}
	with := func(p Packet, f func(*Packet)) Packet { f(&p); return p }
	const tcp = "10.244.2.34.44644 > 10.244.2.32.9080: Flags [S], seq 54128709, win 64240, length 0"
	runTextCases(t, []textCase{
		{
			name:   "-i any names the interface and direction",
			in:     "18:50:41.685298 veth5f577e0f In  IP " + tcp + "\n18:50:41.685298 eth0  Out IP " + tcp + "\n18:50:41.685298 veth5f577e0f B   IP " + tcp + "\n",
			want:   []Packet{with(syn(1), func(p *Packet) { p.Direction = DirIn }), with(syn(2), func(p *Packet) { p.Interface, p.Direction = 1, DirOut }), with(syn(3), func(p *Packet) { p.Direction = DirOther })},
			ifaces: []Interface{{Name: "veth5f577e0f", LinkType: LinkUnknown}, {Name: "eth0", LinkType: LinkUnknown}},
		},
		{
			name:   "-e Ethernet gives the frame length",
			in:     "18:50:41.685298 1e:ce:b0:8f:ab:27 > 9a:cd:90:4f:4b:a4, ethertype IPv4 (0x0800), length 74: " + tcp + "\n",
			want:   []Packet{with(syn(1), func(p *Packet) { p.Length = 74 })},
			ifaces: []Interface{{Name: "", LinkType: LinkEthernet}},
			notes:  []string{},
		},
		{
			name:   "-i any -e",
			in:     "18:50:41.685298 vethpcc0 In  ifindex 5 1e:ce:b0:8f:ab:27 ethertype IPv4 (0x0800), length 80: " + tcp + "\n",
			want:   []Packet{with(syn(1), func(p *Packet) { p.Direction, p.IfIndex, p.Length = DirIn, 5, 80 })},
			ifaces: []Interface{{Name: "vethpcc0", LinkType: LinkLinuxSLL2}},
		},
		{
			name:   "-i any -e with the name in parentheses",
			in:     "18:50:41.685298 ifindex 5 (vethpcc0) 1e:ce:b0:8f:ab:27 ethertype IPv4 (0x0800), length 80: " + tcp + "\n",
			want:   []Packet{with(syn(1), func(p *Packet) { p.IfIndex, p.Length = 5, 80 })},
			ifaces: []Interface{{Name: "vethpcc0", LinkType: LinkLinuxSLL2}},
		},
		{
			name:   "Linux cooked v1 -e",
			in:     "18:50:41.685298 Out ethertype IPv4 (0x0800), length 76: " + tcp + "\n18:50:41.685298  In ethertype IPv4 (0x0800), length 76: " + tcp + "\n",
			want:   []Packet{with(syn(1), func(p *Packet) { p.Direction, p.Length = DirOut, 76 }), with(syn(2), func(p *Packet) { p.Direction, p.Length = DirIn, 76 })},
			ifaces: []Interface{{Name: "", LinkType: LinkLinuxSLL}},
		},
		{
			name: "802.1Q",
			in:   "18:50:41.685298 00:50:56:9f:36:9f > 00:03:b2:78:04:17, ethertype 802.1Q (0x8100), length 70: vlan 100, p 0, ethertype IPv4 (0x0800), " + tcp + "\n",
			want: []Packet{with(syn(1), func(p *Packet) { p.Length = 70 })},
		},
		{
			name: "802.1ad and 802.1Q with DEI",
			in:   "18:50:41.685298 00:50:56:9f:36:9f > 00:03:b2:78:04:17, ethertype 802.1Q-QinQ (0x88a8), length 74: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 2001, p 3, DEI, ethertype IPv4 (0x0800), " + tcp + "\n",
			want: []Packet{with(syn(1), func(p *Packet) { p.Length = 74 })},
		},
		{
			name:     "-e ARP is not IP",
			in:       "21:59:54.599412 00:20:d2:5a:fb:3f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.21.79.100 tell 172.21.79.97, length 28\n",
			outcomes: map[Outcome]int{NotIP: 1},
		},
		{
			name:     "-e 802.3 is not IP",
			in:       "14:28:38.018637 00:1e:f7:05:a8:92 > 01:80:c2:00:00:00, 802.3, length 60: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d\n",
			outcomes: map[Outcome]int{NotIP: 1},
		},
		{
			name:   "listening banner names the interface and link type",
			in:     "tcpdump: listening on veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n18:50:41.685298 IP " + tcp + "\n",
			want:   []Packet{syn(2)},
			ifaces: []Interface{{Name: "veth0", LinkType: LinkEthernet}},
		},
		{
			name:   "listening on any leaves names to the lines",
			in:     "listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n18:50:41.685298 lo    In  IP " + tcp + "\n",
			want:   []Packet{with(syn(2), func(p *Packet) { p.Direction = DirIn })},
			ifaces: []Interface{{Name: "lo", LinkType: LinkLinuxSLL2}},
		},
		{
			name:   "reading from file gives the link type",
			in:     "reading from file veth.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n18:50:41.685298 IP " + tcp + "\n",
			want:   []Packet{syn(2)},
			ifaces: []Interface{{Name: "", LinkType: LinkEthernet}},
		},
		{
			name:   "two captures one after the other",
			in:     "listening on veth0, link-type EN10MB (Ethernet), capture size 262144 bytes\n18:50:41.685298 IP " + tcp + "\nlistening on veth1, link-type EN10MB (Ethernet), capture size 262144 bytes\n18:50:41.685298 IP " + tcp + "\n",
			want:   []Packet{syn(2), with(syn(4), func(p *Packet) { p.Interface = 1 })},
			ifaces: []Interface{{Name: "veth0", LinkType: LinkEthernet}, {Name: "veth1", LinkType: LinkEthernet}},
		},
		{
			name:   "-t -i any",
			in:     "vethpcc0 Out IP " + tcp + "\n",
			want:   []Packet{{Num: 1, Direction: DirOut, Transport: TCP, Src: textClient, Dst: textServer, Flags: FlagSYN, Seq: 54128709, Window: 64240}},
			ifaces: []Interface{{Name: "vethpcc0", LinkType: LinkUnknown}},
		},
		{
			name: "-t -e",
			in:   "1e:ce:b0:8f:ab:27 > 9a:cd:90:4f:4b:a4, ethertype IPv4 (0x0800), length 74: " + tcp + "\n",
			want: []Packet{{Num: 1, Length: 74, Transport: TCP, Src: textClient, Dst: textServer, Flags: FlagSYN, Seq: 54128709, Window: 64240}},
		},
	})
}

// TestTextNetwork covers IPv4, IPv6, -v headers and what is counted but not
// returned.
func TestTextNetwork(t *testing.T) {
	at := clockAt(18, 50, 41, 873225000)
	v6c := netip.MustParseAddrPort("[fd00:10:244:2::22]:33839")
	v6s := netip.MustParseAddrPort("[fd00:10:244:2::1]:53")
	runTextCases(t, []textCase{
		{
			name: "IPv6 splits the port at the last dot",
			in:   "18:50:41.873225 IP6 fd00:10:244:2::22.33839 > fd00:10:244:2::1.53: 12345+ A? reviews.bookinfo.svc.cluster.local. (52)\n",
			want: []Packet{{Num: 1, Time: at, Transport: UDP, Src: v6c, Dst: v6s, PayloadLen: 52}},
		},
		{
			name: "IPv6 address ending in ::",
			in:   "03:29:14.047685 IP6 2000:0:0:40::.7784 > 2000:0:0:40::1.47657: UDP, length 24\n",
			want: []Packet{{Num: 1, Time: clockAt(3, 29, 14, 47685000), Transport: UDP,
				Src: netip.MustParseAddrPort("[2000:0:0:40::]:7784"), Dst: netip.MustParseAddrPort("[2000:0:0:40::1]:47657"), PayloadLen: 24}},
		},
		{
			name: "IPv4-mapped IPv6",
			in:   "18:50:41.873225 IP6 ::ffff:10.0.0.1.443 > ::ffff:10.0.0.2.55555: UDP, length 7\n",
			want: []Packet{{Num: 1, Time: at, Transport: UDP,
				Src: netip.MustParseAddrPort("[::ffff:10.0.0.1]:443"), Dst: netip.MustParseAddrPort("[::ffff:10.0.0.2]:55555"), PayloadLen: 7}},
		},
		{
			name: "-v IPv6 header on the same line",
			in:   "18:50:41.873225 IP6 (flowlabel 0x63c06, hlim 64, next-header UDP (17) payload length: 60) fd00:10:244:2::22.33839 > fd00:10:244:2::1.53: [bad udp cksum 0xff1d -> 0x6b05!] 12345+ A? reviews.bookinfo.svc.cluster.local. (52)\n",
			want: []Packet{{Num: 1, Time: at, Transport: UDP, Src: v6c, Dst: v6s, TTL: 64, PayloadLen: 52}},
		},
		{
			name: "-v IPv4 header and its continuation line",
			in: "18:50:41.685298 IP (tos 0x0, ttl 64, id 38955, offset 0, flags [DF], proto TCP (6), length 60)\n" +
				"    10.244.2.34.44644 > 10.244.2.32.9080: Flags [S], cksum 0x1a58 (incorrect -> 0x065a), seq 54128709, win 64240, options [mss 1460,sackOK,TS val 2436865829 ecr 0,nop,wscale 10], length 0\n",
			want: []Packet{{Num: 1, Time: clockAt(18, 50, 41, 685298000), Transport: TCP, Src: textClient, Dst: textServer,
				TTL: 64, IPID: 38955, Flags: FlagSYN, Seq: 54128709, Window: 64240, TSVal: 2436865829, HasTS: true}},
		},
		{
			name: "-v header whose continuation never comes",
			in: "18:50:41.685298 IP (tos 0x0, ttl 64, id 38955, offset 0, flags [DF], proto TCP (6), length 60)\n" +
				"18:50:41.685298 IP (tos 0x0, ttl 64, id 38956, offset 0, flags [DF], proto TCP (6), length 60)\n",
			outcomes: map[Outcome]int{UnreadableLine: 2},
		},
		{
			name: "-v ICMP error quotes a packet on indented lines that are not records",
			in: "18:50:41.873719 IP (tos 0xc0, ttl 64, id 60895, offset 0, flags [none], proto ICMP (1), length 80)\n" +
				"    10.244.2.1 > 10.244.2.34: ICMP 10.244.2.1 protocol 132 unreachable, length 60\n" +
				"\tIP (tos 0x0, ttl 64, id 35612, offset 0, flags [DF], proto SCTP (132), length 52)\n" +
				"    10.244.2.34.5000 > 10.244.2.1.5001: sctp (1) [INIT] [init tag: 287454020] [rwnd: 65535] [OS: 10] [MIS: 10] [init TSN: 1] \n",
			outcomes: map[Outcome]int{NotTCPUDP: 1},
		},
		{
			name: "-v fragment offset",
			in: "18:50:41.873530 IP (tos 0x0, ttl 64, id 60111, offset 1480, flags [+], proto UDP (17), length 1500)\n" +
				"    10.244.2.34 > 10.244.2.1: ip-proto-17\n",
			outcomes: map[Outcome]int{Fragment: 1},
		},
		{
			name: "fragments without -v",
			in: "18:50:41.873530 IP 10.244.2.34 > 10.244.2.1: ip-proto-17\n" +
				"18:50:41.873530 IP 10.244.2.34 > 10.244.2.1: udp\n" +
				"18:50:41.873530 IP 10.244.2.34 > 10.244.2.1: tcp\n" +
				"18:50:41.873630 IP6 fd00:10:244:2::22 > fd00:10:244:2::1: frag (1448|1448)\n" +
				"18:50:41.873630 IP6 (flowlabel 0x62f42, hlim 64, next-header Fragment (44) payload length: 1456) fd00:10:244:2::22 > fd00:10:244:2::1: frag (0x051c0340:1448|1448)\n" +
				"14:00:00.000000 IP 10.0.0.1 > 10.0.0.2: udp (frag 1234:100@1480)\n",
			outcomes: map[Outcome]int{Fragment: 6},
		},
		{
			name: "first IPv6 fragment carries the ports",
			in:   "18:50:41.873622 IP6 fd00:10:244:2::22 > fd00:10:244:2::1: frag (0|1448) 41082 > 40001: UDP, length 3000\n",
			want: []Packet{{Num: 1, Time: clockAt(18, 50, 41, 873622000), Transport: UDP,
				Src: netip.MustParseAddrPort("[fd00:10:244:2::22]:41082"), Dst: netip.MustParseAddrPort("[fd00:10:244:2::1]:40001"), PayloadLen: 3000}},
		},
		{
			name: "hop-by-hop header before TCP",
			in:   "14:13:27.172200 IP6 2604:1380:4091:ce00::d > 2604:1380:4091:ce00::b: HBH 41851 > 43913: Flags [P.], seq 592820498:592900498, ack 2512896041, win 2128, options [nop,nop,TS val 1186840160 ecr 4237097528], length 80000\n",
			want: []Packet{{Num: 1, Time: clockAt(14, 13, 27, 172200000), Transport: TCP,
				Src: netip.MustParseAddrPort("[2604:1380:4091:ce00::d]:41851"), Dst: netip.MustParseAddrPort("[2604:1380:4091:ce00::b]:43913"),
				Flags: FlagPSH | FlagACK, Seq: 592820498, Ack: 2512896041, Window: 2128, TSVal: 1186840160, HasTS: true, PayloadLen: 80000}},
		},
		{
			// tcpdump 4.99.3 -v -n -r of a pcap with a type 0 routing header
			// before UDP and a segment routing header (type 4) before TCP.
			name: "-v IPv6 routing headers",
			in: "14:53:20.000000 IP6 (flowlabel 0x12345, hlim 64, next-header Routing (43) payload length: 57) fd00:10:244:1::5 > fd00:10:244:2::7: RT6 (len=2, type=0 [Deprecated], segleft=1, rsv=0x0, [0]fd00:10:244:3::9) 40000 > 53: [bad udp cksum 0x0000 -> 0x0185!] 4660+ A? reviews. (25)\n" +
				"14:53:21.000000 IP6 (hlim 64, next-header Routing (43) payload length: 60) fd00:10:244:1::5 > fd00:10:244:2::7: RT6 (len=4, type=4, segleft=1, last-entry=1, flags=0x0, tag=0, [0]fd00:10:244:2::7, [1]fd00:10:244:9::1) 41000 > 9080: Flags [S], cksum 0x0000 (incorrect -> 0xeeb0), seq 1000, win 64240, length 0\n",
			want: []Packet{
				{Num: 1, Time: clockAt(14, 53, 20, 0), Transport: UDP, TTL: 64, PayloadLen: 25,
					Src: netip.MustParseAddrPort("[fd00:10:244:1::5]:40000"), Dst: netip.MustParseAddrPort("[fd00:10:244:2::7]:53")},
				{Num: 2, Time: clockAt(14, 53, 21, 0), Transport: TCP, TTL: 64, Flags: FlagSYN, Seq: 1000, Window: 64240,
					Src: netip.MustParseAddrPort("[fd00:10:244:1::5]:41000"), Dst: netip.MustParseAddrPort("[fd00:10:244:2::7]:9080")},
			},
		},
		{
			// tcpdump before 4.99 named it srcrt; cut by the snapshot length,
			// the ports are not printed.
			name: "routing header as srcrt, and cut short",
			in: "09:00:07.784000 IP6 2001:1:2:3::1 > 2001:1:2:7:200:ff:fe00:5: srcrt (len=2, type=2, segleft=1, rsv=0x0, [0]2001:1:2:3::1000) 40000 > 53: UDP, length 9\n" +
				"04:13:34.903345 IP6 2001:10::1 > fc00:3::1: srcrt (len=6, type=4, segleft=2[|srcrt]\n",
			want: []Packet{{Num: 1, Time: clockAt(9, 0, 7, 784000000), Transport: UDP, PayloadLen: 9,
				Src: netip.MustParseAddrPort("[2001:1:2:3::1]:40000"), Dst: netip.MustParseAddrPort("[2001:1:2:7:200:ff:fe00:5]:53")}},
			outcomes: map[Outcome]int{Decoded: 1, Truncated: 1},
		},
		{
			name: "-v hop-by-hop options",
			in:   "14:13:27.172200 IP6 (hlim 1, next-header Options (0) payload length: 36) fe80::1 > ff02::16: HBH (rtalert: 0x0000) (padn) 41851 > 43913: UDP, length 4\n",
			want: []Packet{{Num: 1, Time: clockAt(14, 13, 27, 172200000), Transport: UDP, TTL: 1, PayloadLen: 4,
				Src: netip.MustParseAddrPort("[fe80::1]:41851"), Dst: netip.MustParseAddrPort("[ff02::16]:43913")}},
		},
		{
			// tcpdump 4.99.3 -e -n, -e -v -n and -e -q -n of an NFLOG capture
			// (the packet iptables' NFLOG target logs in group 7).
			name: "NFLOG with -e",
			in: "14:53:20.000000 version 0, resource ID 7, family IPv4 (2), length 72: 10.244.2.34.44644 > 10.96.209.151.9080: Flags [S], seq 54128709, win 64240, length 0\n" +
				"14:53:20.000000 version 0, resource ID 7, family IPv4 (2), length 72: (tos 0x0, ttl 64, id 38955, offset 0, flags [DF], proto TCP (6), length 40)\n" +
				"    10.244.2.34.44644 > 10.96.209.151.9080: Flags [S], cksum 0x0000 (incorrect -> 0x0689), seq 54128709, win 64240, length 0\n" +
				"14:53:20.000000 version 0, resource ID 7, IPv4, length 72: 10.244.2.34.44644 > 10.96.209.151.9080: tcp 0\n",
			want: []Packet{
				{Num: 1, Time: clockAt(14, 53, 20, 0), Transport: TCP, Length: 72, Flags: FlagSYN, Seq: 54128709, Window: 64240,
					Src: netip.MustParseAddrPort("10.244.2.34:44644"), Dst: netip.MustParseAddrPort("10.96.209.151:9080")},
				{Num: 2, Time: clockAt(14, 53, 20, 0), Transport: TCP, Length: 72, Flags: FlagSYN, Seq: 54128709, Window: 64240, TTL: 64, IPID: 38955,
					Src: netip.MustParseAddrPort("10.244.2.34:44644"), Dst: netip.MustParseAddrPort("10.96.209.151:9080")},
				{Num: 4, Time: clockAt(14, 53, 20, 0), Transport: TCP, Length: 72,
					Src: netip.MustParseAddrPort("10.244.2.34:44644"), Dst: netip.MustParseAddrPort("10.96.209.151:9080")},
			},
		},
		{
			name: "not TCP or UDP",
			in: "18:50:41.873695 IP 10.244.2.34 > 10.244.2.1: ICMP echo request, id 4660, seq 1, length 12\n" +
				"18:50:41.873715 IP 10.244.2.34.5000 > 10.244.2.1.5001: sctp (1) [INIT] [init tag: 287454020] [rwnd: 65535] [OS: 10] [MIS: 10] [init TSN: 1] \n" +
				"18:50:41.873732 IP 10.244.2.34.40000 > 10.244.2.1.5001: DCCP DCCP-Request (service=0) \n" +
				"18:50:41.873749 IP 10.244.2.34 > 10.244.2.1: GREv0, length 24: IP bad-len 0\n" +
				"18:50:41.873763 IP 10.244.2.34 > 10.244.2.1:  ip-proto-253 3\n" +
				"18:50:41.873763 IP 10.244.2.34 > 10.244.2.1: ip-proto-47\n" +
				"18:50:41.658109 vethpcc0 M   IP6 fd00:10:244:2::22 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fd00:10:244:2::1, length 32\n",
			outcomes: map[Outcome]int{NotTCPUDP: 7},
		},
		{
			name: "not IP",
			in: "18:50:21.609729 vethpcc0 B   ARP, Request who-has 10.244.2.32 tell 10.244.2.34, length 28\n" +
				"18:58:55.849897 ARP, Reply 10.244.2.32 is-at 9a:cd:90:4f:4b:a4 (oui Unknown), length 28\n" +
				"14:28:38.018637 STP 802.1w, Rapid STP, Flags [Learn, Forward], bridge-id 8000.00:1e:f7:05:a8:92.8001, length 36\n",
			outcomes: map[Outcome]int{NotIP: 3},
		},
		{
			name:     "cut short by the snapshot length",
			in:       "05:27:12.999999 IP 10.0.0.1.1234 > 10.0.0.2.80:  [|tcp]\n",
			outcomes: map[Outcome]int{Truncated: 1},
		},
	})
}

// TestTextTransport covers TCP flags and fields and the UDP lengths
// application decoders print.
func TestTextTransport(t *testing.T) {
	at := clockAt(9, 21, 3, 847323000)
	c := netip.MustParseAddrPort("192.168.1.11:33779")
	s := netip.MustParseAddrPort("209.87.249.18:53")
	tcp := func(flags TCPFlags, f func(*Packet)) Packet {
		p := Packet{Num: 1, Time: at, Transport: TCP, Src: c, Dst: s, Flags: flags}
		if f != nil {
			f(&p)
		}
		return p
	}
	udp := func(n int) []Packet {
		return []Packet{{Num: 1, Time: at, Transport: UDP, Src: c, Dst: s, PayloadLen: n}}
	}
	const pre = "09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: "
	runTextCases(t, []textCase{
		{name: "DNS over TCP: the length, then the application", in: pre + "Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)\n",
			want: []Packet{tcp(FlagPSH|FlagACK, func(p *Packet) { p.Seq, p.Ack, p.Window, p.PayloadLen = 1, 1, 64240, 58 })}},
		{name: "application after length and a colon", in: pre + "Flags [P.], seq 1:22, ack 1, win 4096, length 21: SSH: SSH-2.0-OpenSSH_7.8\n",
			want: []Packet{tcp(FlagPSH|FlagACK, func(p *Packet) { p.Seq, p.Ack, p.Window, p.PayloadLen = 1, 1, 4096, 21 })}},
		{name: "flags none", in: pre + "Flags [none], seq 1, win 0, length 0\n", want: []Packet{tcp(0, func(p *Packet) { p.Seq = 1 })}},
		{name: "flags R", in: pre + "Flags [R], seq 603899917, win 0, length 0\n", want: []Packet{tcp(FlagRST, func(p *Packet) { p.Seq = 603899917 })}},
		{name: "flags SEW", in: pre + "Flags [SEW], seq 1948076589, win 65535, length 0\n",
			want: []Packet{tcp(FlagSYN|FlagECE|FlagCWR, func(p *Packet) { p.Seq, p.Window = 1948076589, 65535 })}},
		{name: "flags FP.", in: pre + "Flags [FP.], seq 227, ack 60, win 64239, length 0\n",
			want: []Packet{tcp(FlagFIN|FlagPSH|FlagACK, func(p *Packet) { p.Seq, p.Ack, p.Window = 227, 60, 64239 })}},
		{name: "flags FSRP.UEW", in: pre + "Flags [FSRP.UEW], seq 1, win 1, urg 1, length 0\n",
			want: []Packet{tcp(0xFF, func(p *Packet) { p.Seq, p.Window = 1, 1 })}},
		{name: "unknown flag", in: pre + "Flags [X], seq 1, win 1, length 0\n", outcomes: map[Outcome]int{UnreadableLine: 1}},
		{name: "options with braces and commas", in: pre + "Flags [.], ack 1, win 256, options [nop,nop,TS val 464494241 ecr 3275212179,mptcp 20 capable v1 {0x1fdb5df328bc3def,0x29a6c86981ad933c}], length 0\n",
			want: []Packet{tcp(FlagACK, func(p *Packet) { p.Ack, p.Window, p.TSVal, p.HasTS = 1, 256, 464494241, true })}},
		{name: "no length", in: pre + "Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460]\n",
			want: []Packet{tcp(FlagSYN|FlagACK, func(p *Packet) { p.Seq, p.Ack, p.Window = 2043824403, 603899917, 64240 })}},
		{name: "-q", in: pre + "tcp 778\n", want: []Packet{tcp(0, func(p *Packet) { p.PayloadLen = 778 })}},
		{name: "seq beyond 32 bits", in: pre + "Flags [S], seq 4294967296, win 1, length 0\n", outcomes: map[Outcome]int{UnreadableLine: 1}},
		{name: "win beyond 16 bits", in: pre + "Flags [S], seq 1, win 65536, length 0\n", outcomes: map[Outcome]int{UnreadableLine: 1}},
		{name: "UDP, length", in: pre + "UDP, length 32\n", want: udp(32)},
		{name: "DNS length in parentheses", in: pre + "22836+ [1au] A? www.tcpdump.org. (56)\n", want: udp(56)},
		{name: "DNS answer", in: pre + "12345 1/0/0 A 10.96.209.151 (68)\n", want: udp(68)},
		{name: "-v UDP checksum", in: pre + "[udp sum ok] 12345+ A? reviews.bookinfo.svc.cluster.local. (52)\n", want: udp(52)},
		{name: "NTP message length", in: pre + "NTPv4, Client, length 48\n", want: udp(48)},
		{name: "syslog length with colon", in: pre + "SYSLOG local0.info, length: 79\n", want: udp(79)},
		{name: "a tunnel's inner lengths are not the payload", in: pre + "VXLAN, flags [I] (0x08), vni 100\n", want: udp(0)},
		{name: "application without a length", in: pre + "domain [length 0 < 12] (invalid)\n", want: udp(0)},
		{name: "length inside a word is not a length", in: pre + "foo, xlength 12\n", want: udp(0)},
	})
}

// TestTextNames covers tcpdump run without -n: port names, which are read,
// and host names, which make lines unreadable with a note.
func TestTextNames(t *testing.T) {
	at := clockAt(18, 50, 41, 736174000)
	runTextCases(t, []textCase{
		{
			name: "port names",
			in: "18:50:41.736174 IP 10.244.2.34.47430 > 10.244.2.1.http: Flags [S], seq 863371398, win 64240, length 0\n" +
				"18:50:41.736174 IP6 fd00::1.https > fd00::2.55555: Flags [S], seq 1, win 1, length 0\n" +
				"18:50:41.736174 IP 10.244.2.34.34838 > 10.244.2.1.domain: 12345+ A? reviews.bookinfo.svc.cluster.local. (52)\n" +
				"18:50:41.736174 IP 10.244.2.34.54030 > 10.244.2.1.http-alt: Flags [S], seq 1, win 1, length 0\n" +
				"18:50:41.736174 IP 10.244.2.34.54030 > 10.96.209.151.glrpc: Flags [S], seq 1, win 1, length 0\n",
			want: []Packet{
				{Num: 1, Time: at, Transport: TCP, Src: netip.MustParseAddrPort("10.244.2.34:47430"), Dst: netip.MustParseAddrPort("10.244.2.1:80"), Flags: FlagSYN, Seq: 863371398, Window: 64240},
				{Num: 2, Time: at, Transport: TCP, Src: netip.MustParseAddrPort("[fd00::1]:443"), Dst: netip.MustParseAddrPort("[fd00::2]:55555"), Flags: FlagSYN, Seq: 1, Window: 1},
				{Num: 3, Time: at, Transport: UDP, Src: netip.MustParseAddrPort("10.244.2.34:34838"), Dst: netip.MustParseAddrPort("10.244.2.1:53"), PayloadLen: 52},
				{Num: 4, Time: at, Transport: TCP, Src: netip.MustParseAddrPort("10.244.2.34:54030"), Dst: netip.MustParseAddrPort("10.244.2.1:8080"), Flags: FlagSYN, Seq: 1, Window: 1},
				{Num: 5, Time: at, Transport: TCP, Src: netip.MustParseAddrPort("10.244.2.34:54030"), Dst: netip.MustParseAddrPort("10.96.209.151:9080"), Flags: FlagSYN, Seq: 1, Window: 1},
			},
		},
		{
			name:     "unknown port name",
			in:       "18:50:41.736174 IP 10.244.2.34.47430 > 10.244.2.1.no-such-service: Flags [S], seq 1, win 1, length 0\n",
			outcomes: map[Outcome]int{UnreadableLine: 1},
			notes:    []string{"1 line names ports by names this reader does not know; capture with tcpdump -n to read them"},
		},
		{
			name: "host names",
			in: "18:49:47.851877 lo    In  IP localhost.33098 > localhost.http: Flags [S], seq 2274809383, win 65495, length 0\n" +
				"14:57:02.572059 IP my-shell.default.svc.cluster.local.44644 > reviews.bookinfo.svc.cluster.local.9080: Flags [P.], seq 1:2, ack 1, win 1, length 1\n" +
				"18:49:47.998740 lo    In  IP localhost > localhost: ICMP localhost udp port mdns unreachable, length 88\n",
			outcomes: map[Outcome]int{UnreadableLine: 2, NotTCPUDP: 1},
			notes:    []string{"2 lines name hosts instead of addresses; capture with tcpdump -n to read them"},
		},
	})
}

// TestTextSkipped covers lines that are not records and inputs that are not
// regular.
func TestTextSkipped(t *testing.T) {
	const pkt = "14:57:02.572059 IP 10.244.2.34.44644 > 10.244.2.32.9080: Flags [.], ack 1, win 63, length 0"
	one := func(num int) []Packet {
		return []Packet{{Num: num, Time: clockAt(14, 57, 2, 572059000), Transport: TCP, Src: textClient, Dst: textServer, Flags: FlagACK, Ack: 1, Window: 63}}
	}
	runTextCases(t, []textCase{
		{name: "empty", in: "", outcomes: map[Outcome]int{}, ifaces: []Interface{{Name: "", LinkType: LinkUnknown}}, notes: []string{}},
		{
			name: "tcpdump's messages, commands and counters",
			in: "$ tcpdump -i veth5f577e0f dst port 9080\n" +
				"tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n" +
				"tcpdump: data link type LINUX_SLL2\n" +
				"Warning: interface names might be incorrect\n\n" + pkt + "\n...\n" +
				"1 packet captured\n2 packets received by filter\n0 packets dropped by kernel\n",
			want:     one(6),
			outcomes: map[Outcome]int{Decoded: 1},
		},
		{
			name: "-X dump lines",
			in: pkt + "\n\t0x0000:  4500 001f d93e 4000 4011 638d 7f00 0001  E....>@.@.c.....\n" +
				"\t0x0010:  7f00 0001 9b6c 0001 000b fe1e 6869 0a    .....l......hi.\n",
			want: one(1),
		},
		{name: "CRLF", in: pkt + "\r\n", want: one(1)},
		{name: "no final newline", in: pkt, want: one(1)},
		{name: "byte order mark", in: "\xEF\xBB\xBF" + pkt + "\n", want: one(1)},
		{
			name:     "a line too long to read",
			in:       pkt + strings.Repeat("x", textLineMax) + "\n" + strings.Repeat("y", textLineMax+10) + "\n" + pkt + "\n",
			want:     one(3),
			outcomes: map[Outcome]int{Decoded: 1, UnreadableLine: 1},
		},
		{
			name:     "a packet line that cannot be read",
			in:       "14:57:02.572059 IP 10.244.2.34.44644 -> 10.244.2.32.9080\n14:57:02.572059\n" + pkt + "\n",
			want:     one(3),
			outcomes: map[Outcome]int{Decoded: 1, UnreadableLine: 2},
		},
		{
			name:     "-A payload that starts like nothing",
			in:       pkt + "\nE....>@.@.c..........l......hi\nGET / HTTP/1.1\n",
			want:     one(1),
			outcomes: map[Outcome]int{Decoded: 1},
		},
		{
			name:     "-t: a line that does not start like a packet is not one",
			in:       "IP 10.244.2.34.44644 > 10.244.2.32.9080: Flags [.], ack 1, win 63, length 0\nhello world\n",
			outcomes: map[Outcome]int{Decoded: 1},
		},
		{
			name: "timestamped output: an inner frame on its own line is not a packet",
			in: "18:50:21.798129 vethpcc0 In  IP 10.244.2.34.38962 > 10.244.2.1.4789: VXLAN, flags [I] (0x78), vni 7895160\n" +
				"78:78:78:78:78:78 > 78:78:78:78:78:78, ethertype Unknown (0x7878), length 1464: \n",
			outcomes: map[Outcome]int{Decoded: 1},
		},
	})
}

func TestTextReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("14:57:02.572059 IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 1\n"), iotest.ErrReader(boom))
	s := newTextSource("in.txt", r)
	var p Packet
	require.NoError(t, s.Next(&p))
	err := s.Next(&p)
	var fe *FileError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, "in.txt", fe.Path)
	assert.Equal(t, int64(58), fe.Offset)
	assert.Equal(t, err, s.Next(&p), "the error sticks")
}

// TestTextNextDoesNotAllocate reads a repeated set of lines covering the
// common forms and checks that Next allocates nothing once the interfaces
// are known.
func TestTextNextDoesNotAllocate(t *testing.T) {
	src := newTextSource("loop", &repeatReader{data: []byte(textBenchLines)})
	var p Packet
	for range 64 {
		require.NoError(t, src.Next(&p))
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := src.Next(&p); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// textBenchLines is a mix of real lines: default, -i any, -e, -v on two
// lines, IPv6, DNS, port names, and lines that are skipped or counted.
const textBenchLines = `14:57:02.572059 IP 10.244.2.34.44644 > 10.244.2.32.9080: Flags [P.], seq 3112:3890, ack 5085, win 684, options [nop,nop,TS val 1627817850 ecr 1863232535], length 778
18:58:55.849902 vethpcc0 In  IP 10.244.2.34.48416 > 10.244.2.32.9080: Flags [S], seq 2441377505, win 64240, options [mss 1460,sackOK,TS val 552759292 ecr 0,nop,wscale 10], length 0
18:50:41.685403 vethpcc0 Out ifindex 5 9a:cd:90:4f:4b:a4 ethertype IPv4 (0x0800), length 72: 10.244.2.32.9080 > 10.244.2.34.58668: Flags [.], ack 90, win 64, options [nop,nop,TS val 595043677 ecr 2436865829], length 0
18:50:41.685298 IP (tos 0x0, ttl 64, id 38955, offset 0, flags [DF], proto TCP (6), length 60)
    10.244.2.34.58668 > 10.244.2.32.9080: Flags [S], cksum 0x1a58 (incorrect -> 0x065a), seq 54128709, win 64240, options [mss 1460,sackOK,TS val 2436865829 ecr 0,nop,wscale 10], length 0
18:50:41.717421 IP6 (flowlabel 0x5d3bf, hlim 64, next-header TCP (6) payload length: 40) fd00:10:244:2::1.9080 > fd00:10:244:2::22.46214: Flags [S.], seq 1638174857, ack 3205753347, win 64260, length 0
18:50:41.873225 IP6 fd00:10:244:2::22.33839 > fd00:10:244:2::1.domain: 12345+ A? reviews.bookinfo.svc.cluster.local. (52)
18:50:41.873695 IP 10.244.2.34 > 10.244.2.1: ICMP echo request, id 4660, seq 1, length 12
18:58:55.849878 vethpcc0 B   ARP, Request who-has 10.244.2.32 tell 10.244.2.34, length 28
	0x0000:  4500 001f d93e 4000 4011 638d 7f00 0001  E....>@.@.c.....
2024-01-02 14:57:02.572059 IP 10.244.2.34.44644 > 10.244.2.32.http: Flags [.], ack 6356, win 684, length 0
`

// repeatReader yields data over and over.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

func BenchmarkTextSource(b *testing.B) {
	src := newTextSource("bench", &repeatReader{data: []byte(textBenchLines)})
	var p Packet
	b.ReportAllocs()
	start := src.line
	for b.Loop() {
		if err := src.Next(&p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(src.line-start)/b.Elapsed().Seconds(), "lines/s")
}
