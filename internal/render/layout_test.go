package render

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// generated builds a report of one client pod sending to dests
// destinations, each reached through pods servers, with verdicts taking
// turns over every kind of path. nameLen pads namespaces and names to make
// them long. Flows and summary agree as analyze would make them.
func generated(dests, pods, nameLen int) *report.Report {
	pad := func(s string) string {
		if len(s) < nameLen {
			s += "-" + strings.Repeat("x", nameLen-len(s))
		}
		return s
	}
	verdicts := []report.Verdict{report.SidecarDNAT, report.Passthrough, report.PodDirect, report.External, report.Node, report.Unknown}
	t0 := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	r := &report.Report{Schema: report.SchemaAnalyze, Captures: []report.Capture{{File: "gen.pcap", Format: "pcap", LinkTypes: []string{"EN10MB"}, Complete: true}}}
	client := ref(pad("team") + "/" + pad("client"))
	port := 30000
	for d := range dests {
		v := verdicts[d%len(verdicts)]
		ns := pad(fmt.Sprintf("ns%03d", d))
		svc := ref(ns + "/" + pad(fmt.Sprintf("svc%03d", d)))
		cip := ap(fmt.Sprintf("10.96.%d.%d:8080", d/250, d%250+1))
		n := pods
		if v == report.External || v == report.Node || v == report.Unknown {
			n = 1
		}
		for p := range n {
			addr := ap(fmt.Sprintf("10.%d.%d.%d:8080", 100+d/250, d%250, p+1))
			f := report.Flow{Proto: tcp, Client: ap(fmt.Sprintf("10.244.0.5:%d", port)), Server: addr, ClientPod: client,
				Verdict: v, Evidence: evidence("generated"), Packets: int64(10 + p), Bytes: 1000, First: t0, Last: t0, ClientFrom: report.BySyn}
			port++
			pod := ref(ns + "/" + pad(fmt.Sprintf("pod%03d-%d", d, p)))
			switch v {
			case report.SidecarDNAT, report.PodDirect:
				f.ServerPod = pod
			case report.Passthrough:
				f.Server, f.NATTo, f.NATToPod = cip, report.Endpoint{AddrPort: addr}, pod
			}
			if v == report.SidecarDNAT || v == report.Passthrough {
				f.Service = svc
			}
			r.Flows = append(r.Flows, f)
		}
	}
	// The summary as analyze makes it: pod-direct flows one row per pod.
	var sum report.Summarizer
	for i := range r.Flows {
		sum.Add(&r.Flows[i])
	}
	r.Summary = sum.Rows()
	return r
}

// checkLayout checks that nothing of a placed graph overlaps and that it
// stays within its bounds.
func checkLayout(t *testing.T, l *layout) {
	t.Helper()
	inside := func(what string, b box) {
		if b.x < 0 || b.y < 0 || b.x+b.w > l.w || b.y+b.h > l.h {
			t.Errorf("%s %+v is not inside %dx%d", what, b, l.w, l.h)
		}
	}
	type item struct {
		what string
		b    box
	}
	var items []item
	for i, n := range l.nodes {
		items = append(items, item{fmt.Sprintf("node %d %s %q", i, n.kind, n.title), n.box})
		if textW(n.title, titleCharW)+2*padX > n.w || textW(n.sub, smallCharW)+2*padX > n.w {
			t.Errorf("node %d: %q / %q does not fit %d pixels", i, n.title, n.sub, n.w)
		}
	}
	for i, e := range l.edges {
		if e.flowsText != "" {
			items = append(items, item{fmt.Sprintf("edge %d flows label", i), e.flowsBox}, item{fmt.Sprintf("edge %d packets label", i), e.pktsBox})
		}
		// No stretch of an edge runs through a node it does not join.
		for _, s := range e.segments {
			seg := box{min(s.x1, s.x2), min(s.y1, s.y2), max(abs(s.x2-s.x1), 1), max(abs(s.y2-s.y1), 1)}
			inside(fmt.Sprintf("edge %d segment", i), seg)
			for j, n := range l.nodes {
				if j != e.from && j != e.to && seg.overlaps(n.box) {
					t.Errorf("edge %d (%d→%d) segment %+v crosses node %d %q", i, e.from, e.to, s, j, n.title)
				}
			}
		}
	}
	for i, ln := range l.lanes {
		items = append(items, item{fmt.Sprintf("lane %d caption", i), ln.captionBox})
	}
	// Sorted by top, a box can only meet the boxes that start above its
	// bottom.
	slices.SortStableFunc(items, func(a, b item) int { return a.b.y - b.b.y })
	for i, a := range items {
		inside(a.what, a.b)
		for _, b := range items[i+1:] {
			if b.b.y >= a.b.y+a.b.h {
				break
			}
			if a.b.overlaps(b.b) {
				t.Errorf("%s %+v overlaps %s %+v", a.what, a.b, b.what, b.b)
			}
		}
	}
	// Nodes of a column have distinct rows.
	seen := map[[2]int]int{}
	for i, n := range l.nodes {
		k := [2]int{n.x, n.y}
		if j, ok := seen[k]; ok {
			t.Errorf("nodes %d and %d share column and row", j, i)
		}
		seen[k] = i
	}
}

func TestLayout(t *testing.T) {
	// The widest a diagram can be: every column at its widest, every gap
	// at the widest label a count can make.
	widest := 2*margin + numCols*colMaxW + (numCols-1)*(textW("1000000000000 pkts", smallCharW)+2*trunkOffset+4)
	tests := []struct {
		name                 string
		dests, pods, nameLen int
		lanes                int // lanes drawn
		lanesLeft            int // of the summary rows: destinations past diagramLimits.maxLanes
	}{
		{"one destination", 1, 3, 0, 1, 0},
		{"one destination, long names", 1, 1, 120, 1, 0},
		{"every kind of path", 6, 2, 10, 7, 0},
		{"200 destinations, long names, many pods", 200, 30, 80, diagramLimits.maxLanes, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := generated(tt.dests, tt.pods, tt.nameLen)
			gs := buildGraphs(r, r.All(), diagramLimits)
			require.Len(t, gs, 1)
			g := gs[0]
			assert.Len(t, g.lanes, tt.lanes)
			if tt.lanesLeft < 0 {
				tt.lanesLeft = len(r.Summary) - diagramLimits.maxLanes
			}
			assert.Equal(t, tt.lanesLeft, g.lanesLeft)
			l := place(g)
			checkLayout(t, l)
			assert.LessOrEqual(t, l.w, widest, "width is bounded whatever the names")
			maxH := 2*margin + len(g.lanes)*(laneHead+diagramLimits.maxServers*rowPitch+laneGap) + footerH
			assert.LessOrEqual(t, l.h, maxH, "height grows with lanes only, each lane bounded")
			ends := map[int]int{}
			for _, n := range g.nodes {
				if n.col == colEnd {
					ends[n.lane]++
				}
			}
			for lane, n := range ends {
				assert.LessOrEqual(t, n, diagramLimits.maxServers, "lane %d", lane)
			}
			if tt.dests == 1 {
				assert.Less(t, l.w, 1200, "one destination fits a screen")
				assert.Less(t, l.h, 400)
			}
		})
	}
}

// TestLayoutSeedPaths checks the seed's two figures as graphs: Figure 1
// is my-shell → sidecar → three reviews pods, Figure 2 my-shell → sidecar →
// ClusterIP → kube-proxy → the pods it chose.
func TestLayoutSeedPaths(t *testing.T) {
	pods := []report.Server{
		{Addr: ap("10.244.1.31:9080"), Pod: ref("bookinfo/reviews-v2-65cb66b45c-dtwjd")},
		{Addr: ap("10.244.2.31:9080"), Pod: ref("bookinfo/reviews-v1-5c4d6d447c-qwmbv")},
		{Addr: ap("10.244.2.32:9080"), Pod: ref("bookinfo/reviews-v3-f68f94645-bmzrn")},
	}
	fig := func(v report.Verdict, nat bool) *report.Report {
		r := &report.Report{}
		row := report.SummaryRow{Client: label("default/my-shell"), Destination: label("bookinfo/reviews"), Verdict: v}
		for i, p := range pods {
			f := report.Flow{Client: ap(fmt.Sprintf("10.244.2.34:%d", 40000+i)), ClientPod: ref("default/my-shell"), Server: p.Addr, ServerPod: p.Pod,
				Service: ref("bookinfo/reviews"), Verdict: v, Packets: 10}
			if v == report.Passthrough {
				f.Server, f.ServerPod = ap("10.96.209.151:9080"), ref("")
				if nat {
					f.NATTo, f.NATToPod = report.Endpoint{AddrPort: p.Addr}, p.Pod
				}
			}
			r.Flows = append(r.Flows, f)
			row.Flows++
			row.Packets += 10
		}
		row.Servers = pods
		if v == report.Passthrough && !nat {
			row.Servers = []report.Server{{Addr: ap("10.96.209.151:9080")}}
		}
		r.Summary = []report.SummaryRow{row}
		return r
	}
	path := func(g *graph) []string {
		var out []string
		for _, e := range g.edges {
			f, _ := e.label()
			out = append(out, fmt.Sprintf("%s:%s -%s-> %s:%s %s", g.nodes[e.from].kind, g.nodes[e.from].key, e.kind, g.nodes[e.to].kind, g.nodes[e.to].key, f))
		}
		return out
	}
	tests := []struct {
		name string
		r    *report.Report
		want []string
	}{
		{"figure 1", fig(report.SidecarDNAT, false), []string{
			"pod:default/my-shell -mesh-> sidecar:default/my-shell 3 flows",
			"sidecar:default/my-shell -dnat-> pod:bookinfo/reviews-v2-65cb66b45c-dtwjd 1 flow",
			"sidecar:default/my-shell -dnat-> pod:bookinfo/reviews-v1-5c4d6d447c-qwmbv 1 flow",
			"sidecar:default/my-shell -dnat-> pod:bookinfo/reviews-v3-f68f94645-bmzrn 1 flow",
		}},
		{"figure 2, both legs captured", fig(report.Passthrough, true), []string{
			"pod:default/my-shell -mesh-> sidecar:default/my-shell 3 flows",
			"sidecar:default/my-shell -passthrough-> clusterip:10.96.209.151 3 flows",
			"clusterip:10.96.209.151 -kube-proxy-> kube-proxy:kube-proxy ",
			"kube-proxy:kube-proxy -nat-> pod:bookinfo/reviews-v2-65cb66b45c-dtwjd 1 flow",
			"kube-proxy:kube-proxy -nat-> pod:bookinfo/reviews-v1-5c4d6d447c-qwmbv 1 flow",
			"kube-proxy:kube-proxy -nat-> pod:bookinfo/reviews-v3-f68f94645-bmzrn 1 flow",
		}},
		{"figure 2, only the client's veth", fig(report.Passthrough, false), []string{
			"pod:default/my-shell -mesh-> sidecar:default/my-shell 3 flows",
			"sidecar:default/my-shell -passthrough-> clusterip:10.96.209.151 3 flows",
			"clusterip:10.96.209.151 -kube-proxy-> kube-proxy:kube-proxy ",
			"kube-proxy:kube-proxy -nat-> unseen:unseen bookinfo/reviews 3 flows",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs := buildGraphs(tt.r, tt.r.All(), diagramLimits)
			require.Len(t, gs, 1)
			assert.Equal(t, tt.want, path(gs[0]), "(-want +got)")
			checkLayout(t, place(gs[0]))
		})
	}
}

func TestHTMLLarge(t *testing.T) {
	r := generated(200, 30, 80)
	var b bytes.Buffer
	rd, err := New(HTML)
	require.NoError(t, err)
	require.NoError(t, rd.Analysis(&b, r, nil))
	out := b.String()
	assert.Contains(t, out, "more destinations: see the tables below")
	assert.Equal(t, len(r.Flows), strings.Count(out, `<tr class="flow">`), "the tables list every flow")
}
