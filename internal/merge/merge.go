package merge

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// DefaultSkew is how far apart two nodes' sightings of one connection may
// lie: their clocks' difference plus the capture's delay.
const DefaultSkew = 5 * time.Second

// Options configure Merge. The zero value is ready to use.
type Options struct {
	// Skew overrides DefaultSkew when positive.
	Skew time.Duration
	// ByPod keeps a summary row per client pod; otherwise the rows of the
	// pods of one workload (see Workload) are one row, whose client is
	// the workload. The flows always name their pods.
	ByPod bool
}

// Stats says what Merge joined.
type Stats struct {
	// Sightings counts the flows of all the reports; Connections the
	// flows of the merged report.
	Sightings, Connections int
	// Shared counts the connections seen on more than one node; Paired
	// those among them whose sightings name different servers: a
	// ClusterIP on the client's node and the pod kube-proxy chose on the
	// server's.
	Shared, Paired int
}

// ErrDuplicateNode is wrapped by Merge's error when two reports name one
// node.
var ErrDuplicateNode = errors.New("merge: two reports of one node")

// ErrNoNode is wrapped by Merge's error when a report names no node.
var ErrNoNode = errors.New("merge: a report names no node")

// Merge merges per-node reports, each with its flows and its Node set,
// into one report of schema pcapcheck/v1 whose flows are the cluster's
// connections, each once, with the nodes that saw it (Flow.Nodes); its
// summary rows say which nodes saw their flows, Nodes lists the nodes
// merged, Captures every node's captures (named NODE: FILE) and Warnings
// every node's (prefixed "NODE: "). The inputs are not changed.
//
// Errors: ErrNoNode, ErrDuplicateNode.
func Merge(reports []*report.Report, opts Options) (*report.Report, Stats, error) {
	skew := opts.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	reports = slices.Clone(reports)
	slices.SortStableFunc(reports, func(a, b *report.Report) int { return cmp.Compare(a.Node, b.Node) })
	for i, r := range reports {
		if r.Node == "" {
			return nil, Stats{}, fmt.Errorf("%w: each report must say its node (pcapcheck agent --node, or the file's name)", ErrNoNode)
		}
		if i > 0 && reports[i-1].Node == r.Node {
			return nil, Stats{}, fmt.Errorf("%w: %q twice: give each node's report once", ErrDuplicateNode, r.Node)
		}
	}
	var sightings []sighting
	for i, r := range reports {
		for j := range r.Flows {
			sightings = append(sightings, sighting{node: i, flow: &r.Flows[j]})
		}
	}
	groups := group(sightings, skew)
	out := &report.Report{Schema: report.SchemaAnalyze, Captures: []report.Capture{}, Warnings: []string{}}
	st := Stats{Sightings: len(sightings)}
	var sum report.Summarizer
	for _, g := range groups {
		f := join(reports, sightings, g)
		if len(f.Nodes) > 1 {
			st.Shared++
			if paired(sightings, g) {
				st.Paired++
			}
		}
		out.Flows = append(out.Flows, f)
	}
	slices.SortFunc(out.Flows, compareFlows)
	for i := range out.Flows {
		sum.Add(&out.Flows[i])
	}
	st.Connections = len(out.Flows)
	out.Summary = sum.Rows()
	if !opts.ByPod {
		out.Summary = byWorkload(out.Summary)
	}
	for _, r := range reports {
		out.Nodes = append(out.Nodes, r.Node)
		for _, c := range r.Captures {
			c.File = r.Node + ": " + c.File
			out.Captures = append(out.Captures, c)
		}
		// A node's row mismatches are about its own rows, which the
		// merge replaces: they are said again below from the merged rows.
		own := istio.Mismatches(r.Summary)
		for _, w := range r.Warnings {
			if !slices.Contains(own, w) {
				out.Warnings = append(out.Warnings, r.Node+": "+w)
			}
		}
		out.Inventory = joinInventory(out.Inventory, r.Inventory)
		if out.Mesh == nil && r.Mesh != nil {
			m := *r.Mesh
			out.Mesh = &m
		}
	}
	out.Warnings = append(out.Warnings, istio.Mismatches(out.Summary)...)
	if out.Flows == nil {
		out.Flows = []report.Flow{}
	}
	return out, st, nil
}

// sighting is one node's flow.
type sighting struct {
	node int
	flow *report.Flow
}

// legKey names a connection as one node saw it: the client's socket and
// one name of its server.
type legKey struct {
	proto   capture.Transport
	client  netip.AddrPort
	server  netip.AddrPort
	service inventory.Ref
}

// keys lists the names a sighting's server goes by: the address sent to,
// the address kube-proxy translated it to, and the service.
func (s sighting) keys() []legKey {
	f := s.flow
	ks := []legKey{{proto: f.Proto, client: f.Client, server: f.Server}}
	if f.NATTo.IsValid() {
		ks = append(ks, legKey{proto: f.Proto, client: f.Client, server: f.NATTo.AddrPort})
	}
	if !f.Service.IsZero() {
		ks = append(ks, legKey{proto: f.Proto, client: f.Client, service: f.Service})
	}
	return ks
}

// group joins the sightings of one connection: of different nodes,
// sharing a key, overlapping in time. It returns the groups, each a list
// of sighting indexes, in the order of their first sighting.
func group(ss []sighting, skew time.Duration) [][]int {
	parent := make([]int, len(ss))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byKey := map[legKey][]int{}
	for i, s := range ss {
		for _, k := range s.keys() {
			for _, j := range byKey[k] {
				if ss[j].node != s.node && overlap(ss[j].flow, s.flow, skew) {
					if a, b := find(i), find(j); a != b {
						parent[max(a, b)] = min(a, b)
					}
				}
			}
			byKey[k] = append(byKey[k], i)
		}
	}
	at := map[int]int{}
	var groups [][]int
	for i := range ss {
		r := find(i)
		g, ok := at[r]
		if !ok {
			g = len(groups)
			at[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

func overlap(a, b *report.Flow, skew time.Duration) bool {
	return !a.First.After(b.Last.Add(skew)) && !b.First.After(a.Last.Add(skew))
}

// score ranks a sighting by how much of the path it shows: kube-proxy's
// translation (the client's node), the pod's interception, a verdict.
func score(f *report.Flow) int {
	s := 0
	if f.NATTo.IsValid() {
		s += 8
	}
	if !f.Intercepted.IsZero() {
		s += 4
	}
	if f.Verdict != report.Unknown {
		s += 2
	}
	return s
}

// join makes the connection of a group: its best sighting, completed by
// the others.
func join(reports []*report.Report, ss []sighting, g []int) report.Flow {
	best := g[0]
	for _, i := range g[1:] {
		a, b := ss[i].flow, ss[best].flow
		if c := cmp.Or(cmp.Compare(score(a), score(b)), cmp.Compare(a.Packets, b.Packets)); c > 0 {
			best = i
		}
	}
	f := *ss[best].flow
	f.Nodes, f.Interfaces = nil, nil
	f.Evidence = slices.Clone(f.Evidence)
	for _, i := range g {
		o, node := ss[i].flow, reports[ss[i].node].Node
		if !slices.Contains(f.Nodes, node) {
			f.Nodes = append(f.Nodes, node)
		}
		for _, iface := range o.Interfaces {
			f.Interfaces = append(f.Interfaces, node+"/"+iface)
		}
		if len(o.Interfaces) == 0 && len(g) > 1 {
			f.Interfaces = append(f.Interfaces, node+"/")
		}
		if o.First.Before(f.First) {
			f.First = o.First
		}
		if o.Last.After(f.Last) {
			f.Last = o.Last
		}
		f.Packets, f.Bytes = max(f.Packets, o.Packets), max(f.Bytes, o.Bytes)
		fill(&f.ClientPod, o.ClientPod)
		fill(&f.Service, o.Service)
		fill(&f.NATToPod, o.NATToPod)
		fill(&f.UpstreamPod, o.UpstreamPod)
		fill(&f.SNI, o.SNI)
		fill(&f.HTTPHost, o.HTTPHost)
		fill(&f.HTTPRequest, o.HTTPRequest)
		if f.ALPN == nil {
			f.ALPN = o.ALPN
		}
		if f.Expected.IsZero() && !o.Expected.IsZero() {
			f.Expected, f.ExpectedWhy = o.Expected, o.ExpectedWhy
		}
		if f.ServicePort == 0 && f.Service == o.Service {
			f.ServicePort = o.ServicePort
		}
		// The server pod is the one at the address the client sent to;
		// another node's server pod is it only when it names that address.
		if f.ServerPod.IsZero() && o.Server == f.Server {
			f.ServerPod = o.ServerPod
		}
	}
	slices.Sort(f.Nodes)
	if len(g) == 1 {
		f.Interfaces = ss[best].flow.Interfaces
	}
	return f
}

func fill[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero {
		*dst = v
	}
}

// paired reports whether a group's sightings name different servers.
func paired(ss []sighting, g []int) bool {
	for _, i := range g[1:] {
		if ss[i].flow.Server != ss[g[0]].flow.Server {
			return true
		}
	}
	return false
}

// compareFlows orders connections as the engine does: by protocol,
// client, server, then time.
func compareFlows(a, b report.Flow) int {
	return cmp.Or(cmp.Compare(a.Proto, b.Proto), a.Client.Compare(b.Client), a.Server.Compare(b.Server), a.First.Compare(b.First))
}

// joinInventory sums up what the nodes' inventories held: the largest
// counts (the agents read one cluster, at slightly different times) and
// every file.
func joinInventory(a, b report.InventoryFacts) report.InventoryFacts {
	a.Pods, a.Services, a.Endpoints, a.Nodes = max(a.Pods, b.Pods), max(a.Services, b.Services), max(a.Endpoints, b.Endpoints), max(a.Nodes, b.Nodes)
	for _, f := range b.Files {
		if !slices.Contains(a.Files, f) {
			a.Files = append(a.Files, f)
		}
	}
	for _, f := range b.Registries {
		if !slices.Contains(a.Registries, f) {
			a.Registries = append(a.Registries, f)
		}
	}
	if a.Files == nil {
		a.Files = []string{}
	}
	return a
}
