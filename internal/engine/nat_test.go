package engine

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/report"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

const us = time.Microsecond

// legs returns a connection from my-shell to the reviews ClusterIP as
// tcpdump -i any on the node sees it: every packet on my-shell's veth
// (ifindex 7) with the ClusterIP and, 20 µs later, on reviews-v3's veth
// (ifindex 9) with the pod IP; replies the other way round. rewrite=false
// gives the same packets without NAT (a pod-to-pod call seen on both veths).
func legs(rewrite bool) []pk {
	vip, pod := "10.96.209.151:9080", "10.244.2.32:9080"
	if !rewrite {
		vip = pod
	}
	client := "10.244.2.34:42122"
	type step struct {
		fromClient bool
		flags      string
		len        int
	}
	steps := []step{{true, "S", 0}, {false, "S.", 0}, {true, ".", 0}, {true, "P.", 90}, {false, "P.", 727}, {true, ".", 0}, {true, "F.", 0}, {false, "F.", 0}, {true, ".", 0}}
	var out []pk
	for i, s := range steps {
		at := time.Duration(i) * ms
		seq, ack := uint32(1000+i), uint32(5000+i)
		if s.fromClient {
			out = append(out,
				pk{at: at, flow: client + " > " + vip, flags: s.flags, len: s.len, seq: seq, ack: ack, ipid: uint16(100 + i), ifindex: 7},
				pk{at: at + 20*us, flow: client + " > " + pod, flags: s.flags, len: s.len, seq: seq, ack: ack, ipid: uint16(100 + i), ifindex: 9})
		} else {
			out = append(out,
				pk{at: at, flow: pod + " > " + client, flags: s.flags, len: s.len, seq: seq, ack: ack, ipid: uint16(300 + i), ifindex: 9},
				pk{at: at + 20*us, flow: vip + " > " + client, flags: s.flags, len: s.len, seq: seq, ack: ack, ipid: uint16(300 + i), ifindex: 7})
		}
	}
	return out
}

func TestNATLegsAreOneConnection(t *testing.T) {
	for _, tt := range []struct {
		name string
		inv  bool
	}{{"with inventory", true}, {"without inventory", false}} {
		t.Run(tt.name, func(t *testing.T) {
			var inv *inventory.Inventory
			if tt.inv {
				inv = seedInventory(t, "../../fixtures/bookinfo/after/shell5-istioctl.txt")
			}
			r := analyzeAll(t, inv, newSource(t, "any.pcap", legs(true)...))
			require.Len(t, r.Flows, 1, "the translated leg is not a flow of its own")
			f := r.Flows[0]
			assert.Equal(t, report.Passthrough, f.Verdict, "evidence %q", f.Evidence)
			assert.Equal(t, "10.244.2.34:42122", f.Client.String())
			assert.Equal(t, "10.96.209.151:9080", f.Server.String())
			assert.Equal(t, "10.244.2.32:9080", f.NATTo.String())
			assert.Equal(t, int64(9), f.Packets, "each packet counted once")
			assert.Equal(t, int64(9), f.Duplicates)
			assert.Equal(t, "complete", f.Handshake.String())
			assert.Equal(t, "ifindex 7,ifindex 9", f.Interfaces.String())
			if tt.inv {
				assert.Equal(t, "bookinfo/reviews-v3-f68f94645-bmzrn", f.NATToPod.String())
				assert.Equal(t, "bookinfo/reviews", f.Service.String())
				require.Len(t, r.Summary, 1)
				assert.Equal(t, []report.Server{{Addr: netip.MustParseAddrPort("10.244.2.32:9080"), Pod: ref("bookinfo/reviews-v3-f68f94645-bmzrn"), Via: report.Endpoint{AddrPort: netip.MustParseAddrPort("10.96.209.151:9080")}}}, r.Summary[0].Servers, "the pod kube-proxy chose, and the ClusterIP the client sent to")
			}
		})
	}
}

func TestSamePacketOnTwoInterfacesCountsOnce(t *testing.T) {
	r := analyzeAll(t, seedInventory(t), newSource(t, "any.pcap", legs(false)...))
	require.Len(t, r.Flows, 1)
	f := r.Flows[0]
	assert.Equal(t, int64(9), f.Packets)
	assert.Equal(t, int64(9), f.Duplicates)
	assert.Empty(t, f.NATTo)
	assert.Equal(t, report.SidecarDNAT, f.Verdict)
}

// TestRetransmissionIsNotADuplicate: the same segment twice on one
// interface is a retransmission, and counts twice.
func TestRetransmissionIsNotADuplicate(t *testing.T) {
	p := pk{flow: "10.244.2.34:42122 > 10.244.2.32:9080", flags: "P.", len: 90, seq: 1, ack: 1, ipid: 7, ifindex: 7}
	again := p
	again.at = 2 * ms
	r := analyzeAll(t, nil, newSource(t, "veth.pcap", p, again))
	require.Len(t, r.Flows, 1)
	assert.Equal(t, int64(2), r.Flows[0].Packets)
	assert.Zero(t, r.Flows[0].Duplicates)
}

// TestLegsOfTwoCapturesArePaired: a capture of the client's veth and one of
// the server's veth, read together, pair by packets across files.
func TestLegsOfTwoCapturesArePaired(t *testing.T) {
	var client, server []pk
	for _, p := range legs(true) {
		p.ifindex = 0
		if p.flow[len(p.flow)-len("10.96.209.151:9080"):] == "10.96.209.151:9080" || p.flow[:len("10.96.209.151")] == "10.96.209.151" {
			client = append(client, p)
		} else {
			server = append(server, p)
		}
	}
	r := analyzeAll(t, seedInventory(t), newSource(t, "client-veth.pcap", client...), newSource(t, "server-veth.pcap", server...))
	require.Len(t, r.Flows, 1)
	assert.Equal(t, "10.244.2.32:9080", r.Flows[0].NATTo.String())
	assert.Equal(t, int64(9), r.Flows[0].Packets)
	assert.Len(t, r.Captures, 2)
}

// TestLegsPairedByAddress: when the packets of the two legs cannot be
// matched (text without IP IDs, captures of different moments), the
// inventory still pairs a ClusterIP leg with a pod leg of the same client
// address and port, and says so.
func TestLegsPairedByAddress(t *testing.T) {
	r := analyzeAll(t, seedInventory(t), twoLegs(t, "10.244.2.34:42122 > 10.96.209.151:9080", "10.244.2.34:42122 > 10.244.2.32:9080")...)
	require.Len(t, r.Flows, 1)
	f := r.Flows[0]
	assert.Equal(t, report.Passthrough, f.Verdict)
	assert.Equal(t, "10.244.2.32:9080", f.NATTo.String())
	assert.True(t, containsSub(sentences(f), "paired by addresses"), "%q", f.Evidence)
	assert.Equal(t, int64(4), f.Packets, "packets the legs did not share are all counted")
}

// twoLegs is a connection's SYN and first segment on the client's side
// (client.txt), and 600 ms later on the server's (server.txt), as two
// captures of different moments hold them: flows "A > B" each.
func twoLegs(t *testing.T, clientLeg, serverLeg string) []capture.Source {
	return []capture.Source{
		newSource(t, "client.txt",
			pk{flow: clientLeg, flags: "S", seq: 1},
			pk{at: 5 * ms, flow: clientLeg, flags: "P.", seq: 2, len: 90}),
		newSource(t, "server.txt",
			pk{at: 600 * ms, flow: serverLeg, flags: "S", seq: 1},
			pk{at: 605 * ms, flow: serverLeg, flags: "P.", seq: 2, len: 90}),
	}
}

// TestMasqueradeIsNotPaired: when the shared endpoint is the server (the
// client's address was rewritten), the legs are not kube-proxy's DNAT.
func TestMasqueradeIsNotPaired(t *testing.T) {
	var pks []pk
	for i, s := range []string{"S", "."} {
		at := time.Duration(i) * ms
		pks = append(pks,
			pk{at: at, flow: "10.244.2.34:42122 > 93.184.216.34:443", flags: s, seq: uint32(i), ipid: uint16(i), ifindex: 7},
			pk{at: at + 20*us, flow: "172.18.0.2:61000 > 93.184.216.34:443", flags: s, seq: uint32(i), ipid: uint16(i), ifindex: 2})
	}
	r := analyzeAll(t, nil, newSource(t, "any.pcap", pks...))
	assert.Len(t, r.Flows, 2)
	for _, f := range r.Flows {
		assert.Empty(t, f.NATTo)
	}
}

func TestAddDoesNotAllocate(t *testing.T) {
	a := New(Options{Inventory: seedInventory(t)})
	src := newSource(t, "x.pcap")
	a.sources = append(a.sources, sourceRun{info: src.Info()})
	p := pk{flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "P.", len: 778, payload: make([]byte, 778), ifindex: 7}.packet(t)
	a.Add(&p, 0)
	allocs := testing.AllocsPerRun(1000, func() {
		p.Seq++
		p.Time = p.Time.Add(ms)
		a.Add(&p, 0)
	})
	assert.Zero(t, allocs)
}

func BenchmarkAdd(b *testing.B) {
	a := New(Options{})
	a.sources = append(a.sources, sourceRun{info: &capture.Info{}})
	var pkts []capture.Packet
	for i := range 1024 {
		p := pk{flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "P.", len: 1448, ifindex: 7}.packet(b)
		p.Src = netip.AddrPortFrom(p.Src.Addr(), uint16(30000+i%256))
		p.Seq = uint32(i)
		pkts = append(pkts, p)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &pkts[i%len(pkts)]
		p.Time = p.Time.Add(ms)
		a.Add(p, 0)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// TestTextSightingsOfOnePacket: tcpdump -i any text prints a connection
// that was open before the capture with absolute numbers on the first
// sighting of its first packet and relative ones after, and a routed
// packet enters and leaves the node's bridge under one name. Found on the
// lab's real captures (fixtures/lab, pooled/any.txt): each packet still
// counts once.
func TestTextSightingsOfOnePacket(t *testing.T) {
	src := newSource(t, "any.txt")
	src.info.Format = capture.FormatText
	src.info.Interfaces = []capture.Interface{{Name: "pcl-my-shell"}, {Name: "pcl-br0"}}
	type sighting struct {
		iface    int
		dir      capture.Direction
		seq, ack uint32
	}
	for i, s := range []sighting{
		{0, capture.DirIn, 3112, 5085}, // absolute: tcpdump has not seen the connection yet
		{1, capture.DirIn, 1, 1},       // relative from here on
		{1, capture.DirOut, 1, 1},
	} {
		p := pk{at: time.Duration(i) * 10 * us, flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "P.", len: 778}.packet(t)
		p.Interface, p.Direction, p.Seq, p.Ack = s.iface, s.dir, s.seq, s.ack
		p.HasTS, p.TSVal, p.Window = true, 1627817850, 684
		src.pkts = append(src.pkts, p)
	}
	r := analyzeAll(t, nil, src)
	require.Len(t, r.Flows, 1)
	assert.Equal(t, int64(1), r.Flows[0].Packets)
	assert.Equal(t, int64(2), r.Flows[0].Duplicates)
}

// TestLegsOfOtherServicesAreNotPaired: a connection from the client port
// of a connection to a ClusterIP, to a pod the inventory says backs another
// Service, is another connection from a reused port, not the DNATed leg.
// A multi-node lab run, whose ground truth said so, saw a sidecar's
// upstream connections to reviews' ClusterIP and to mongodb's pod leave
// from one port and be paired.
func TestLegsOfOtherServicesAreNotPaired(t *testing.T) {
	// The multi-node lab's own kubectl export: its EndpointSlices say that
	// 10.244.2.33:27017 backs mongodb, and reviews is 10.96.209.151.
	inv, err := inventory.Load("../../fixtures/lab/testdata/multi/inventory/kubectl-pods-svc-endpointslices.json")
	require.NoError(t, err)
	r := analyzeAll(t, inv, twoLegs(t, "10.244.2.34:38610 > 10.96.209.151:9080", "10.244.2.34:38610 > 10.244.2.33:27017")...)
	require.Len(t, r.Flows, 2)
	for _, f := range r.Flows {
		assert.Empty(t, f.NATTo, "%s → %s", f.Client, f.Server)
	}
}
