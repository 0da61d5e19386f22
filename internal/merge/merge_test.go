package merge

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

var t0 = time.Date(2026, 12, 5, 14, 29, 0, 0, time.UTC)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func ref(s string) inventory.Ref {
	var r inventory.Ref
	if err := r.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return r
}

// flow builds a sighting: client → server, seen from at for a second.
func flow(client, server string, v report.Verdict, at time.Duration, opts ...func(*report.Flow)) report.Flow {
	f := report.Flow{Proto: capture.TCP, Client: ap(client), Server: ap(server), Verdict: v,
		First: t0.Add(at), Last: t0.Add(at + time.Second), Packets: 10, Bytes: 1000, ClientFrom: report.BySyn}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func natTo(a, pod string) func(*report.Flow) {
	return func(f *report.Flow) { f.NATTo = report.Endpoint{AddrPort: ap(a)}; f.NATToPod = ref(pod) }
}
func service(s string) func(*report.Flow)   { return func(f *report.Flow) { f.Service = ref(s) } }
func clientPod(s string) func(*report.Flow) { return func(f *report.Flow) { f.ClientPod = ref(s) } }
func serverPod(s string) func(*report.Flow) { return func(f *report.Flow) { f.ServerPod = ref(s) } }
func packets(n int64) func(*report.Flow)    { return func(f *report.Flow) { f.Packets = n } }
func udp(f *report.Flow)                    { f.Proto = capture.UDP; f.ClientFrom = report.ByInventory }

func node(name string, flows ...report.Flow) *report.Report {
	return &report.Report{Schema: report.SchemaAnalyze, Node: name, Flows: flows,
		Captures: []report.Capture{{File: "live any", Format: "live", Complete: true}}}
}

// got is what a test compares of a merged flow.
type got struct {
	Server  string
	NATTo   string
	Verdict string
	Nodes   []string
	Packets int64
}

func TestMerge(t *testing.T) {
	const (
		client   = "10.244.2.34:40000"
		cip      = "10.96.209.151:9080"
		podB     = "10.244.1.31:9080"
		podA     = "10.244.2.31:9080"
		reviews  = "bookinfo/reviews"
		reviews2 = "bookinfo/reviews-v2"
	)
	tests := []struct {
		name      string
		in        []*report.Report
		want      []got
		wantStats Stats
	}{
		{
			name: "kube-proxy legs across nodes: the client's node's ClusterIP with nat_to, the server's node's pod IP, one connection",
			in: []*report.Report{
				node("a", flow(client, cip, report.Passthrough, 0, natTo(podB, reviews2), service(reviews))),
				node("b", flow(client, podB, report.SidecarDNAT, 0, service(reviews), serverPod(reviews2))),
			},
			want:      []got{{Server: cip, NATTo: podB, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10}},
			wantStats: Stats{Sightings: 2, Connections: 1, Shared: 1, Paired: 1},
		},
		{
			name: "order of the reports does not matter",
			in: []*report.Report{
				node("b", flow(client, podB, report.SidecarDNAT, 0, service(reviews), serverPod(reviews2))),
				node("a", flow(client, cip, report.Passthrough, 0, natTo(podB, reviews2), service(reviews))),
			},
			want:      []got{{Server: cip, NATTo: podB, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10}},
			wantStats: Stats{Sightings: 2, Connections: 1, Shared: 1, Paired: 1},
		},
		{
			name: "the client's node did not show the DNAT: paired by service",
			in: []*report.Report{
				node("a", flow(client, cip, report.Passthrough, 0, service(reviews))),
				node("b", flow(client, podB, report.SidecarDNAT, 0, service(reviews), serverPod(reviews2))),
			},
			want:      []got{{Server: cip, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10}},
			wantStats: Stats{Sightings: 2, Connections: 1, Shared: 1, Paired: 1},
		},
		{
			name: "a sidecar's connection to a pod on another node: same addresses on both, once",
			in: []*report.Report{
				node("a", flow(client, podB, report.SidecarDNAT, 0, service(reviews), packets(12))),
				node("b", flow(client, podB, report.SidecarDNAT, 0, service(reviews), packets(11))),
			},
			want:      []got{{Server: podB, Verdict: "sidecar-dnat", Nodes: []string{"a", "b"}, Packets: 12}},
			wantStats: Stats{Sightings: 2, Connections: 1, Shared: 1},
		},
		{
			name: "same node: one sighting, one node",
			in: []*report.Report{
				node("a", flow(client, cip, report.Passthrough, 0, natTo(podA, "bookinfo/reviews-v1"), service(reviews))),
				node("b"),
			},
			want:      []got{{Server: cip, NATTo: podA, Verdict: "passthrough", Nodes: []string{"a"}, Packets: 10}},
			wantStats: Stats{Sightings: 1, Connections: 1},
		},
		{
			name: "the same socket minutes apart is two connections",
			in: []*report.Report{
				node("a", flow(client, podB, report.SidecarDNAT, 0)),
				node("b", flow(client, podB, report.SidecarDNAT, 10*time.Minute)),
			},
			want: []got{
				{Server: podB, Verdict: "sidecar-dnat", Nodes: []string{"a"}, Packets: 10},
				{Server: podB, Verdict: "sidecar-dnat", Nodes: []string{"b"}, Packets: 10},
			},
			wantStats: Stats{Sightings: 2, Connections: 2},
		},
		{
			name: "within the skew: one connection",
			in: []*report.Report{
				node("a", flow(client, podB, report.SidecarDNAT, 0)),
				node("b", flow(client, podB, report.SidecarDNAT, 3*time.Second)),
			},
			want:      []got{{Server: podB, Verdict: "sidecar-dnat", Nodes: []string{"a", "b"}, Packets: 10}},
			wantStats: Stats{Sightings: 2, Connections: 1, Shared: 1},
		},
		{
			name: "UDP and TCP on one socket are two",
			in: []*report.Report{
				node("a", flow(client, podB, report.PodDirect, 0, udp)),
				node("b", flow(client, podB, report.PodDirect, 0)),
			},
			want: []got{
				{Server: podB, Verdict: "pod-direct", Nodes: []string{"b"}, Packets: 10},
				{Server: podB, Verdict: "pod-direct", Nodes: []string{"a"}, Packets: 10},
			},
			wantStats: Stats{Sightings: 2, Connections: 2},
		},
		{
			name: "one client's two connections to one service, each paired with its own server leg",
			in: []*report.Report{
				node("a",
					flow(client, cip, report.Passthrough, 0, natTo(podB, reviews2), service(reviews)),
					flow("10.244.2.34:40002", cip, report.Passthrough, 0, natTo(podB, reviews2), service(reviews))),
				node("b",
					flow(client, podB, report.SidecarDNAT, 0, service(reviews)),
					flow("10.244.2.34:40002", podB, report.SidecarDNAT, 0, service(reviews))),
			},
			want: []got{
				{Server: cip, NATTo: podB, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10},
				{Server: cip, NATTo: podB, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10},
			},
			wantStats: Stats{Sightings: 4, Connections: 2, Shared: 2, Paired: 2},
		},
		{
			name: "three nodes: a client on a, its server on b, c sees nothing of it",
			in: []*report.Report{
				node("a", flow(client, cip, report.Passthrough, 0, natTo(podB, reviews2), service(reviews))),
				node("b", flow(client, podB, report.SidecarDNAT, 0, service(reviews))),
				node("c", flow("10.244.3.5:5000", "10.244.3.6:80", report.PodDirect, 0)),
			},
			want: []got{
				{Server: cip, NATTo: podB, Verdict: "passthrough", Nodes: []string{"a", "b"}, Packets: 10},
				{Server: "10.244.3.6:80", Verdict: "pod-direct", Nodes: []string{"c"}, Packets: 10},
			},
			wantStats: Stats{Sightings: 3, Connections: 2, Shared: 1, Paired: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, st, err := Merge(tt.in, Options{})
			require.NoError(t, err)
			var gs []got
			for _, f := range out.Flows {
				g := got{Server: f.Server.String(), Verdict: f.Verdict.String(), Nodes: f.Nodes, Packets: f.Packets}
				if f.NATTo.IsValid() {
					g.NATTo = f.NATTo.String()
				}
				gs = append(gs, g)
			}
			assert.Equal(t, tt.want, gs, "flows (-want +got)")
			assert.Equal(t, tt.wantStats, st, "stats (-want +got)")
		})
	}
}

func TestMergeSummaryNamesNodes(t *testing.T) {
	in := []*report.Report{
		node("a",
			flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0, natTo("10.244.1.31:9080", "bookinfo/reviews-v2"), service("bookinfo/reviews"), clientPod("default/my-shell")),
			flow("10.244.2.34:40001", "10.96.209.151:9080", report.Passthrough, 0, natTo("10.244.2.31:9080", "bookinfo/reviews-v1"), service("bookinfo/reviews"), clientPod("default/my-shell"))),
		node("b", flow("10.244.2.34:40000", "10.244.1.31:9080", report.SidecarDNAT, 0, service("bookinfo/reviews"), clientPod("default/my-shell"))),
	}
	in[0].Warnings = []string{"1 of 2 flows rest on ambiguous evidence"}
	out, _, err := Merge(in, Options{})
	require.NoError(t, err)
	require.Len(t, out.Summary, 1, "one row: my-shell to reviews, passthrough")
	row := out.Summary[0]
	assert.Equal(t, []string{"a", "b"}, row.Nodes, "row nodes (-want +got)")
	require.Equal(t, 2, row.Flows)
	require.Equal(t, []string{"a", "b"}, out.Nodes)
	require.Equal(t, []string{"a: 1 of 2 flows rest on ambiguous evidence"}, out.Warnings)
	require.Equal(t, []string{"a: live any", "b: live any"}, []string{out.Captures[0].File, out.Captures[1].File})
	// The inputs are not changed.
	require.Empty(t, in[0].Flows[0].Nodes)
}

func TestMergeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []*report.Report
		want error
	}{
		{"a report without a node", []*report.Report{node("a"), node("")}, ErrNoNode},
		{"one node twice", []*report.Report{node("a"), node("b"), node("a")}, ErrDuplicateNode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Merge(tt.in, Options{})
			require.ErrorIs(t, err, tt.want)
		})
	}
}

// TestMergeMismatchWarnings: a node that saw only the pod leg of a
// passthrough judged it sidecar-dnat and warned that it differs from the
// expected passthrough; the merge judges the connection passthrough, so
// that warning is the node's alone and is not repeated, while a mismatch
// the merged rows still show is warned about once, and other node warnings
// are kept.
func TestMergeMismatchWarnings(t *testing.T) {
	expect := func(p report.Path) func(*report.Flow) {
		return func(f *report.Flow) { f.Expected = p; f.ExpectedWhy = "the Sidecar's hosts leave it out" }
	}
	summed := func(r *report.Report) *report.Report {
		var s report.Summarizer
		for i := range r.Flows {
			s.Add(&r.Flows[i])
		}
		r.Summary = s.Rows()
		r.Warnings = append([]string{"capture ended early"}, istio.Mismatches(r.Summary)...)
		return r
	}
	a := summed(node("a",
		flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0, natTo("10.244.1.31:9080", "bookinfo/reviews-v2"),
			service("bookinfo/reviews"), clientPod("default/my-shell"), expect(report.ExpectPassthrough)),
		flow("10.244.2.34:40001", "10.244.1.2:15012", report.SidecarDNAT, 0, serverPod("istio-system/istiod"),
			clientPod("default/my-shell"), expect(report.ExpectPassthrough))))
	b := summed(node("b",
		flow("10.244.2.34:40000", "10.244.1.31:9080", report.SidecarDNAT, 0, service("bookinfo/reviews"),
			clientPod("default/my-shell"), expect(report.ExpectPassthrough))))
	require.Len(t, istio.Mismatches(b.Summary), 1, "node b alone warns about its row")

	out, _, err := Merge([]*report.Report{a, b}, Options{})
	require.NoError(t, err)
	var mismatches, kept []string
	for _, w := range out.Warnings {
		if strings.Contains(w, "observed") {
			mismatches = append(mismatches, w)
		}
		if strings.HasSuffix(w, "capture ended early") {
			kept = append(kept, w)
		}
	}
	require.Len(t, mismatches, 1, "only the istiod row still differs: %q", out.Warnings)
	assert.Contains(t, mismatches[0], "istio-system/istiod: observed sidecar-dnat, expected passthrough")
	assert.Equal(t, []string{"a: capture ended early", "b: capture ended early"}, kept)
}
