package engine

import (
	"context"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// base is the capture time the test packets are offset from.
var base = time.Date(2025, 3, 14, 15, 10, 6, 0, time.UTC)

// pk describes a test packet tersely: "10.244.2.34:42122 > 10.96.209.151:9080".
type pk struct {
	at      time.Duration
	flow    string
	flags   string // tcpdump's: "S", "S.", ".", "P.", "F."; "udp" for UDP
	seq     uint32
	ack     uint32
	ipid    uint16
	len     int
	ifindex int32
	payload []byte
}

func (p pk) packet(t testing.TB) capture.Packet {
	t.Helper()
	src, dst, ok := strings.Cut(p.flow, " > ")
	require.True(t, ok, p.flow)
	out := capture.Packet{
		Time: base.Add(p.at), Transport: capture.TCP, IfIndex: p.ifindex,
		Src: netip.MustParseAddrPort(src), Dst: netip.MustParseAddrPort(dst),
		Seq: p.seq, Ack: p.ack, IPID: p.ipid, PayloadLen: p.len, Payload: p.payload, Length: 66 + p.len,
	}
	if p.payload != nil && p.len == 0 {
		out.PayloadLen = len(p.payload)
		out.Length = 66 + len(p.payload)
	}
	if p.flags == "udp" {
		out.Transport = capture.UDP
		return out
	}
	for _, c := range p.flags {
		out.Flags |= map[rune]capture.TCPFlags{'S': capture.FlagSYN, 'F': capture.FlagFIN, 'P': capture.FlagPSH,
			'R': capture.FlagRST, '.': capture.FlagACK}[c]
	}
	return out
}

// sliceSource is a capture.Source over packets made in the test.
type sliceSource struct {
	info capture.Info
	pkts []capture.Packet
}

func newSource(t testing.TB, name string, pks ...pk) *sliceSource {
	s := &sliceSource{info: capture.Info{Name: name, Format: capture.FormatPcap,
		Interfaces: []capture.Interface{{LinkType: capture.LinkLinuxSLL2}}}}
	for _, p := range pks {
		s.pkts = append(s.pkts, p.packet(t))
	}
	return s
}

func (s *sliceSource) Next(p *capture.Packet) error {
	if len(s.pkts) == 0 {
		return io.EOF
	}
	*p = s.pkts[0]
	s.pkts = s.pkts[1:]
	s.info.Records++
	p.Num = s.info.Records
	return nil
}

func (s *sliceSource) Info() *capture.Info { return &s.info }
func (s *sliceSource) Close() error        { return nil }

// seedInventory is the seed's Shell 1 (with my-shell), the nodes, kube-dns,
// a pod without a sidecar, and the given istioctl output.
func seedInventory(t testing.TB, istioctl ...string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Load(append([]string{"../../fixtures/bookinfo/inventory", "testdata/inventory"}, istioctl...)...)
	require.NoError(t, err)
	return inv
}

// analyzeAll runs an analyzer over sources and returns its report.
func analyzeAll(t testing.TB, inv *inventory.Inventory, sources ...capture.Source) *report.Report {
	t.Helper()
	a := New(Options{Inventory: inv})
	require.NoError(t, a.Run(context.Background(), sources...))
	return a.Result().Collect()
}

// ref reads "namespace/name" as the tests spell pods and services.
func ref(s string) inventory.Ref {
	if ns, name, ok := strings.Cut(s, "/"); ok {
		return inventory.Ref{Namespace: ns, Name: name}
	}
	return inventory.Ref{Name: s}
}

// sentences is a flow's evidence as text.
func sentences(f report.Flow) []string { return report.Sentences(f.Evidence) }
