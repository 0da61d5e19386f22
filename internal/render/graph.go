package render

import (
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// The path graph is what the HTML diagrams and the Mermaid charts draw: for
// one client, where its traffic went, hop by hop, as the seed's Figure 1
// (client → sidecar → endpoint pods) and Figure 2 (client → sidecar passes
// through → ClusterIP → kube-proxy → the pod it chose). It is built from a
// report's summary rows, each row one lane; the report's flows only add the
// per-server counts and the ClusterIPs a passthrough row was sent to.

// nodeKind is what a diagram node stands for. The zero value is invalid.
type nodeKind uint8

const (
	kindInvalid   nodeKind = iota
	kindPod                // a pod: a client, an endpoint the sidecar picked, the pod kube-proxy chose
	kindAddress            // a client the inventory does not name
	kindSidecar            // the client's istio-proxy
	kindClusterIP          // a Service ClusterIP a passthrough flow was sent to
	kindKubeProxy          // the node's kube-proxy DNAT
	kindExternal           // an address the inventory does not know
	kindNode               // a node address
	kindUnknown            // a destination the evidence cannot place
	kindUnseen             // the pod kube-proxy chose, when the capture does not show it
	kindMore               // servers left out of a crowded lane
	numKinds
)

var kindNames = [numKinds]string{
	kindInvalid: "invalid", kindPod: "pod", kindAddress: "address", kindSidecar: "sidecar", kindClusterIP: "clusterip",
	kindKubeProxy: "kube-proxy", kindExternal: "external", kindNode: "node", kindUnknown: "unknown", kindUnseen: "unseen", kindMore: "more",
}

func (k nodeKind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "invalid"
}

// The hops, left to right. Columns without nodes take no room.
const (
	colClient = iota
	colSidecar
	colClusterIP
	colKubeProxy
	colEnd // where the traffic landed
	numCols
)

// edgeKind says how an edge is drawn.
type edgeKind uint8

const (
	edgeInvalid     edgeKind = iota
	edgeMesh                 // client → its sidecar
	edgeDNAT                 // sidecar → the endpoint it picked
	edgePassthrough          // sidecar passes through → ClusterIP
	edgeKubeProxy            // ClusterIP → kube-proxy
	edgeNAT                  // kube-proxy → the pod it chose
	edgeDirect               // client → a destination outside the mesh paths
	numEdgeKinds
)

var edgeNames = [numEdgeKinds]string{
	edgeInvalid: "invalid", edgeMesh: "mesh", edgeDNAT: "dnat", edgePassthrough: "passthrough",
	edgeKubeProxy: "kube-proxy", edgeNAT: "nat", edgeDirect: "direct",
}

func (e edgeKind) String() string {
	if e < numEdgeKinds {
		return edgeNames[e]
	}
	return "invalid"
}

// gnode is one box of a diagram. Its strings are raw report strings:
// renderers escape them for their own syntax.
type gnode struct {
	kind nodeKind
	// key names what the node stands for, the same on both sides of a
	// comparison: a pod's namespace/name, an address, a ClusterIP, or the
	// client for its sidecar.
	key  string
	col  int
	lane int // -1 for the client and its sidecar, which serve every lane
	// title and sub are the node's two lines; tip is everything known,
	// for a tooltip.
	title, sub string
	tip        []string
	addr       string
}

// gedge joins two nodes; flows and packets label it when counted.
type gedge struct {
	from, to int
	kind     edgeKind
	counted  bool
	flows    int
	packets  int64
}

// glane is one summary row: a destination and a verdict.
type glane struct {
	destination string
	verdict     report.Verdict
	// mesh says the lane goes through the client's sidecar (inMesh).
	mesh      bool
	flows     int
	packets   int64
	ambiguous int
}

// graph is one client's paths.
type graph struct {
	client string
	nodes  []gnode
	edges  []gedge
	lanes  []glane
	// lanesLeft counts destinations left out by graphLimits.maxLanes.
	lanesLeft int
}

// graphLimits bound a graph, so that a report of thousands of
// destinations still draws: the tables list everything.
type graphLimits struct {
	maxLanes   int // destinations per client
	maxServers int // end nodes per destination, the last one a "more" node
}

// rowKey groups flows as analyze groups them into summary rows: client pod,
// else client IP; service, else server pod, else server address; verdict.
type rowKey struct {
	client, destination report.Label
	verdict             report.Verdict
	intercepted         report.Interception
}

func flowRowKey(f *report.Flow) rowKey {
	return rowKey{client: f.ClientLabel(), destination: f.DestinationLabel(), verdict: f.Verdict, intercepted: f.Intercepted}
}

// tally counts flows and packets.
type tally struct {
	flows   int
	packets int64
}

// rowFlows is what a summary row's flows add to the row: counts per server
// (the address the summary lists) and the addresses the client sent to.
type rowFlows struct {
	servers map[netip.AddrPort]tally
	sentTo  []netip.AddrPort
}

// buildGraphs draws every client of a report, in the report's order.
func buildGraphs(r *report.Report, flows iter.Seq[*report.Flow], lim graphLimits) []*graph {
	byRow := map[rowKey]*rowFlows{}
	clientIPs := map[report.Label][]string{}
	for f := range flows {
		if !f.Role.IsZero() {
			// Istio's own traffic is not a path of the application's.
			continue
		}
		k := flowRowKey(f)
		rf := byRow[k]
		if rf == nil {
			rf = &rowFlows{servers: map[netip.AddrPort]tally{}}
			byRow[k] = rf
		}
		srv := f.Reached().Addr
		t := rf.servers[srv]
		t.flows++
		t.packets += f.Packets
		rf.servers[srv] = t
		if !slices.Contains(rf.sentTo, f.Server) {
			rf.sentTo = append(rf.sentTo, f.Server)
		}
		if ip := f.Client.Addr().String(); !slices.Contains(clientIPs[k.client], ip) {
			clientIPs[k.client] = append(clientIPs[k.client], ip)
		}
	}
	var rows []report.SummaryRow
	for _, row := range r.Summary {
		if row.Role.IsZero() {
			rows = append(rows, row)
		}
	}
	var clients [][]report.SummaryRow
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Client == rows[i].Client {
			j++
		}
		clients = append(clients, rows[i:j])
		i = j
	}
	// Each client's graph reads only its own rows, flows and addresses.
	graphs := make([]*graph, len(clients))
	inParallel(len(clients), func(i int) {
		graphs[i] = buildGraph(clients[i], byRow, clientIPs[clients[i][0].Client], lim)
	})
	return graphs
}

// inMesh reports whether a row's path goes through the client's sidecar:
// sidecar-dnat, and passthrough unless the capture shows the sidecar did
// not intercept it.
func inMesh(row report.SummaryRow) bool {
	return row.Verdict == report.SidecarDNAT || row.Verdict == report.Passthrough && row.Intercepted != report.NotIntercepted
}

// buildGraph draws one client: rows are its summary rows.
func buildGraph(rows []report.SummaryRow, byRow map[rowKey]*rowFlows, ips []string, lim graphLimits) *graph {
	label := rows[0].Client
	client := label.String()
	g := &graph{client: client}
	// Mesh lanes first, so that the sidecar sits above the lanes that
	// bypass it and no edge has to cross it.
	ordered := make([]report.SummaryRow, 0, len(rows))
	for _, mesh := range []bool{true, false} {
		for _, row := range rows {
			if inMesh(row) == mesh {
				ordered = append(ordered, row)
			}
		}
	}
	if lim.maxLanes > 0 && len(ordered) > lim.maxLanes {
		g.lanesLeft = len(ordered) - lim.maxLanes
		ordered = ordered[:lim.maxLanes]
	}

	slices.Sort(ips)
	cn := gnode{kind: kindPod, key: client, col: colClient, lane: -1}
	if label.Ref.IsZero() {
		cn.kind, cn.title, cn.sub = kindAddress, client, "client"
	} else {
		cn.title, cn.sub = label.Ref.Name, joinNonEmpty(" · ", label.Ref.Namespace, strings.Join(ips, ", "))
	}
	cn.tip = []string{"client " + client, strings.Join(ips, ", ")}
	clientID := g.add(cn)

	sidecarID := -1
	var mesh tally
	verdicts := map[report.Verdict]bool{}
	intercepted := false
	for _, row := range ordered {
		intercepted = intercepted || row.Intercepted == report.Intercepted
		if inMesh(row) {
			mesh.flows += row.Flows
			mesh.packets += row.Packets
			verdicts[row.Verdict] = true
		}
	}
	if len(verdicts) > 0 {
		sub := "sidecar"
		switch {
		case !verdicts[report.Passthrough]:
			sub = "DNAT to pods"
		case !verdicts[report.SidecarDNAT]:
			sub = "passes through"
		}
		tip := []string{"the istio-proxy sidecar of " + client}
		if intercepted {
			// The capture holds the pod's lo: the REDIRECT is seen.
			sub = "intercepted · " + sub
			tip = append(tip, "the capture shows the pod's rules redirecting the connections to it (127.0.0.1:15001 on lo)")
		}
		sidecarID = g.add(gnode{kind: kindSidecar, key: client, col: colSidecar, lane: -1, title: "istio-proxy", sub: sub, tip: tip})
		g.edges = append(g.edges, gedge{from: clientID, to: sidecarID, kind: edgeMesh, counted: true, flows: mesh.flows, packets: mesh.packets})
	}

	for _, row := range ordered {
		lane := len(g.lanes)
		g.lanes = append(g.lanes, glane{destination: row.Destination.String(), verdict: row.Verdict, mesh: inMesh(row), flows: row.Flows, packets: row.Packets, ambiguous: row.Ambiguous})
		rf := byRow[rowKey{label, row.Destination, row.Verdict, row.Intercepted}]
		switch {
		case row.Verdict == report.SidecarDNAT:
			g.ends(row, rf, lane, sidecarID, edgeDNAT, kindPod, nil, lim)
		case row.Verdict == report.Passthrough && inMesh(row):
			g.passthrough(row, rf, lane, sidecarID, edgePassthrough, lim)
		case row.Verdict == report.Passthrough:
			// Never intercepted: straight from the application to the
			// ClusterIP.
			g.passthrough(row, rf, lane, clientID, edgeDirect, lim)
		default:
			g.ends(row, rf, lane, clientID, edgeDirect, endKind(row.Verdict), nil, lim)
		}
	}
	return g
}

// passthrough draws sidecar → ClusterIP → kube-proxy → the pods it chose.
func (g *graph) passthrough(row report.SummaryRow, rf *rowFlows, lane, fromID int, ek edgeKind, lim graphLimits) {
	// The addresses the client sent to are the ClusterIPs; without flows,
	// the summary's servers that name no pod are.
	var cips []netip.AddrPort
	if rf != nil {
		cips = slices.Clone(rf.sentTo)
	} else {
		for _, s := range row.Servers {
			if s.Pod.IsZero() {
				cips = append(cips, s.Addr)
			}
		}
	}
	slices.SortFunc(cips, netip.AddrPort.Compare)
	key, addrs := "", joinAddrs(cips)
	if len(cips) > 0 {
		key = cips[0].Addr().String()
	}
	dest := row.Destination.String()
	cip := g.add(gnode{kind: kindClusterIP, key: key, addr: addrs, col: colClusterIP, lane: lane, title: dest, sub: addrs,
		tip: []string{"ClusterIP of " + dest, addrs}})
	g.edges = append(g.edges, gedge{from: fromID, to: cip, kind: ek, counted: true, flows: row.Flows, packets: row.Packets})
	kp := g.add(gnode{kind: kindKubeProxy, key: "kube-proxy", col: colKubeProxy, lane: lane, title: "kube-proxy", sub: "DNAT",
		tip: []string{"kube-proxy on the node translates the ClusterIP to a pod"}})
	g.edges = append(g.edges, gedge{from: cip, to: kp, kind: edgeKubeProxy})
	var chosen []report.Server
	unseen := false
	for _, s := range row.Servers {
		if slices.Contains(cips, s.Addr) {
			unseen = true
		} else {
			chosen = append(chosen, s)
		}
	}
	if len(cips) == 0 && len(chosen) == 0 {
		unseen = true
	}
	var extra *gnode
	if unseen {
		extra = &gnode{kind: kindUnseen, key: "unseen " + dest, col: colEnd, lane: lane,
			title: "a pod of " + dest, sub: "not in this capture",
			tip: []string{"kube-proxy picked a pod of " + dest, "the capture does not show which: capture on the node with tcpdump -i any to see it"}}
	}
	row.Servers = chosen
	g.ends(row, rf, lane, kp, edgeNAT, kindPod, extra, lim)
}

// ends draws the servers of a row as end nodes reached from `from`, the
// extra node (if any) last, and a "more" node when there are too many.
func (g *graph) ends(row report.SummaryRow, rf *rowFlows, lane, from int, ek edgeKind, kind nodeKind, extra *gnode, lim graphLimits) {
	type end struct {
		n gnode
		t tally
		c bool
	}
	var list []end
	dest := row.Destination.String()
	for _, s := range row.Servers {
		addr := s.Addr.String()
		n := gnode{kind: kind, col: colEnd, lane: lane, addr: addr}
		if !s.Pod.IsZero() {
			n.key, n.title, n.sub = s.Pod.String(), s.Pod.Name, joinNonEmpty(" · ", s.Pod.Namespace, addr)
			n.tip = []string{"pod " + s.Pod.String(), addr}
		} else {
			n.key, n.title, n.sub = addr, addr, endSub(kind, row.Verdict)
			n.tip = []string{addr, endSub(kind, row.Verdict)}
		}
		e := end{n: n}
		if rf != nil {
			e.t, e.c = rf.servers[s.Addr]
		}
		list = append(list, e)
	}
	if extra != nil {
		e := end{n: *extra}
		if rf != nil {
			for _, a := range rf.sentTo {
				t := rf.servers[a]
				e.t.flows += t.flows
				e.t.packets += t.packets
				e.c = true
			}
		}
		list = append(list, e)
	}
	if len(list) == 0 {
		// A row always names a server; draw the destination if not.
		list = append(list, end{n: gnode{kind: endKind(row.Verdict), key: dest, col: colEnd, lane: lane,
			title: dest, sub: row.Verdict.String(), tip: []string{dest}}})
	}
	if lim.maxServers > 0 && len(list) > lim.maxServers {
		keep := lim.maxServers - 1
		more := end{c: true}
		var names []string
		for _, e := range list[keep:] {
			more.t.flows += e.t.flows
			more.t.packets += e.t.packets
			more.c = more.c && e.c
			names = append(names, strings.Join(e.n.tip, " "))
		}
		more.n = gnode{kind: kindMore, key: "more " + dest, col: colEnd, lane: lane,
			title: fmt.Sprintf("+%d more", len(list)-keep), sub: "listed in the tables",
			tip: names}
		list = append(list[:keep], more)
	}
	if len(list) == 1 && !list[0].c && rf == nil {
		// Without flows the row's own counts are all there is.
		list[0].t, list[0].c = tally{row.Flows, row.Packets}, true
	}
	for _, e := range list {
		id := g.add(e.n)
		g.edges = append(g.edges, gedge{from: from, to: id, kind: ek, counted: e.c, flows: e.t.flows, packets: e.t.packets})
	}
}

func (g *graph) add(n gnode) int {
	g.nodes = append(g.nodes, n)
	return len(g.nodes) - 1
}

// endKind is the kind of the node a verdict's traffic lands on.
func endKind(v report.Verdict) nodeKind {
	switch v {
	case report.SidecarDNAT, report.Passthrough, report.PodDirect:
		return kindPod
	case report.Node:
		return kindNode
	case report.External:
		return kindExternal
	}
	return kindUnknown
}

// endSub is the second line of an end node that names no pod.
func endSub(k nodeKind, v report.Verdict) string {
	switch k {
	case kindNode:
		return "node address"
	case kindExternal:
		return "external address"
	case kindUnknown:
		return "unknown"
	}
	return "pod IP"
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// joinAddrs lists addresses, comma-separated.
func joinAddrs(addrs []netip.AddrPort) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// label is an edge's counts: "3 flows" and "30 pkts".
func (e gedge) label() (flows, packets string) {
	if !e.counted {
		return "", ""
	}
	flows = strconv.Itoa(e.flows) + " flow"
	if e.flows != 1 {
		flows += "s"
	}
	packets = strconv.FormatInt(e.packets, 10) + " pkt"
	if e.packets != 1 {
		packets += "s"
	}
	return flows, packets
}

// nodeID is a node's identity across the two sides of a comparison.
func (n gnode) nodeID() string { return n.kind.String() + "\x00" + n.key }
