package capture

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// FuzzTextSource feeds arbitrary text to the tcpdump text reader. It must
// not panic; every packet it returns must have valid addresses of one family
// and a TCP or UDP transport, and a line number inside the input; and every
// record must be counted under exactly one outcome.
func FuzzTextSource(f *testing.F) {
	for _, seed := range []string{
		// The seed document's Shell 4: a command line, eight packets, "...".
		"shell4.txt",
		// Shell 6: two SYNs, no command line.
		"shell6.txt",
		// -i any through tee: banners, interfaces, directions, CRLF.
		"any-live-tee-crlf.txt",
		// -e on a cooked v2 capture: ifindex, MACs, frame lengths.
		"any-e.txt",
		// -v: IPv4 headers on their own line, ICMP quoting packets.
		"veth-v.txt",
		// -e -v: the header after the link header.
		"veth-ev.txt",
		// No -n: port names, "udp" fragments, exptest-253.
		"veth-live-names.txt",
		// Host names, which make lines unreadable.
		"lo-names.txt",
		// -t: no timestamps; lines start with the interface.
		"any-t.txt",
		// -ttt: deltas behind a space.
		"any-ttt.txt",
		// -X: hex and ASCII dump lines.
		"veth-X.txt",
		// -A: payload lines that start with anything.
		"veth-A.txt",
		// 802.1Q with -e.
		"vlan-e.txt",
		// IPv6 hop-by-hop header before the ports.
		"ipv6-hbh.txt",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "text", seed))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		// A -v header cut off at the end of the input.
		"14:57:02.572059 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)",
		// A -v header followed by an indented line that is not a body.
		"14:57:02.572059 IP (tos 0x0, ttl 64)\n\t0x0000:  4500\n",
		// An unclosed parenthesis, bracket and brace.
		"14:57:02.572059 IP (tos 0x0\n14:57:02.572059 IP 1.2.3.4.5 > 1.2.3.4.6: Flags [S, options [mss {1, length 1\n",
		// A date and an epoch next to a time of day.
		"2024-01-02 23:59:59.999999 IP 1.2.3.4.5 > 1.2.3.4.6: UDP, length 1\n1700000000.1 IP6 ::.1 > ::1.2: UDP, length 1\n00:00:00.000001 IP 1.2.3.4.5 > 1.2.3.4.6: tcp 1\n",
		// Extension headers and fragments with odd numbers.
		"00:00:00.000000 IP6 :: > ::: frag (0|1) HBH DSTOPT 1 > 2: UDP, length 9\n00:00:00.000000 IP6 :: > ::: frag (99999999999999999999|1)\n",
		// VLAN tags nested beyond reason.
		"00:00:00.000000 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 802.1Q (0x8100), length 1: " + strings.Repeat("vlan 1, p 0, ethertype 802.1Q (0x8100), ", 12) + "\n",
		// Routing headers: a group that closes, one cut by the snapshot
		// length, one that never closes, nested parentheses.
		"00:00:00.000000 IP6 :: > ::1: RT6 (len=2, type=0 [Deprecated], segleft=1, [0]::2) 1 > 2: UDP, length 1\n00:00:00.000000 IP6 :: > ::1: srcrt (len=6, type=4, segleft=2[|srcrt]\n00:00:00.000000 IP6 :: > ::1: RT6 ((((\n00:00:00.000000 IP6 :: > ::1: HBH (padn)(rtalert: 0x0000) (x(y)) 1 > 2: UDP, length 1\n",
		// NFLOG -e headers: with -v's continuation, with -q, without a
		// family, of a family that is not IP, with a bad length.
		"00:00:00.000000 version 0, resource ID 7, family IPv4 (2), length 72: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40)\n    1.2.3.4.5 > 1.2.3.4.6: Flags [S], seq 1, win 1, length 0\n00:00:00.000000 version 0, resource ID 7, IPv6, length 72: ::.1 > ::1.2: UDP, length 1\n00:00:00.000000 version 0, resource ID 7, length 1: 1.2.3.4.5 > 1.2.3.4.6: UDP, length 1\n00:00:00.000000 version 0, resource ID 7, family unknown (7), length 9: x\n00:00:00.000000 version 0, resource ID 7, family IPv4 (2), length 99999999999999999999: x\n",
		// A port name and numbers at the edges of their ranges.
		"00:00:00.000000 IP 255.255.255.255.65535 > 0.0.0.0.domain: Flags [S], seq 4294967295, ack 4294967295, win 65535, options [TS val 4294967295 ecr 0], length 2147483647\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		defer watchdog(10*time.Second, len(in))()
		lines := bytes.Count(in, []byte("\n")) + 1
		got, info := fuzzReadText(t, bytes.NewReader(in))
		last := 0
		for i := range got {
			checkTextPacket(t, &got[i], lines, last)
			last = got[i].Num
		}
		// Reads of any size and CRLF line endings change nothing.
		if again, _ := fuzzReadText(t, iotest.OneByteReader(bytes.NewReader(in))); !sameTextPackets(got, again) {
			t.Fatal("one-byte reads read differently")
		}
		if !bytes.Contains(in, []byte("\r")) {
			crlf := bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n"))
			if again, _ := fuzzReadText(t, bytes.NewReader(crlf)); !sameTextPackets(got, again) {
				t.Fatal("CRLF reads differently")
			}
		}
		sum := 0
		for _, o := range Outcomes() {
			sum += info.Outcomes.Count(o)
		}
		if sum != info.Records {
			t.Fatalf("outcomes add up to %d, records are %d", sum, info.Records)
		}
		if info.Records > lines {
			t.Fatalf("%d records from %d lines", info.Records, lines)
		}
		if len(info.Interfaces) == 0 {
			t.Fatal("no interface")
		}
		sniffText(in)
	})
}

func fuzzReadText(t *testing.T, r io.Reader) ([]Packet, *Info) {
	s := newTextSource("fuzz", r)
	var out []Packet
	for {
		var p Packet
		err := s.Next(&p)
		if errors.Is(err, io.EOF) {
			return out, s.Info()
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, p)
	}
}

func sameTextPackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if formatTextPacket(a[i]) != formatTextPacket(b[i]) {
			return false
		}
	}
	return true
}

func checkTextPacket(t *testing.T, p *Packet, lines, last int) {
	t.Helper()
	if p.Transport != TCP && p.Transport != UDP {
		t.Fatalf("line %d: transport %v", p.Num, p.Transport)
	}
	if !p.Src.Addr().IsValid() || !p.Dst.Addr().IsValid() || p.Src.Addr().Is4() != p.Dst.Addr().Is4() {
		t.Fatalf("line %d: addresses %v > %v", p.Num, p.Src, p.Dst)
	}
	if p.Num < 1 || p.Num > lines || p.Num <= last {
		t.Fatalf("line %d after %d of %d lines", p.Num, last, lines)
	}
	if p.PayloadLen < 0 || p.Length < 0 {
		t.Fatalf("line %d: lengths %d %d", p.Num, p.Length, p.PayloadLen)
	}
	if p.Transport == UDP && (p.Flags != 0 || p.Seq != 0 || p.HasTS) {
		t.Fatalf("line %d: UDP with TCP fields", p.Num)
	}
}

// FuzzTextAddr checks the allocation-free address parser against
// net/netip, which tcpdump's addresses must agree with.
func FuzzTextAddr(f *testing.F) {
	for _, s := range []string{
		"10.244.2.34", "fd00:10:244:2::22", "::", "::1", "2000:0:0:40::", "::ffff:10.0.0.1",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1::2:3:4:5:6:7", "01.2.3.4", "1.2.3", "1:2:3:4:5:6:1.2.3.4",
		"fe80::1%eth0", ":::", "1:::2", "12345::", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := netip.ParseAddr(s)
		if err == nil && want.Zone() != "" {
			return // tcpdump prints no zones; parseAddr rejects them
		}
		got, ok := parseAddr([]byte(s), strings.Contains(s, ":"))
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("parseAddr(%q) = %v, %v; netip: %v, %v", s, got, ok, want, err)
		}
	})
}
