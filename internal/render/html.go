package render

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// htmlRenderer writes one self-contained page: inline CSS, an inline SVG
// diagram per client, and the tables. It makes no request when opened
// (its Content-Security-Policy forbids any) and needs no script.
//
// Every string goes through html/template, so what came from a packet or an
// inventory is text, never markup; it is also cleaned of control
// characters and bidi overrides first, as everywhere else.
type htmlRenderer struct{}

//go:embed html.tmpl
var htmlSource string

// htmlPage is parsed once; executing it does not change it, so renderers
// share it safely.
var htmlPage = template.Must(template.New("page").Parse(htmlSource))

// diagramLimits keep a page drawable whatever the capture holds.
var diagramLimits = graphLimits{maxLanes: 300, maxServers: 12}

func (htmlRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	return writePage(w, analysisPage(r, flows))
}

func (htmlRenderer) Comparison(w io.Writer, c *report.Comparison, beforeFlows, afterFlows iter.Seq[*report.Flow]) error {
	return writePage(w, comparisonPage(c, beforeFlows, afterFlows))
}

// writePage writes the page in order: its top with the diagrams, then for
// each side its tables, the flows table's rows written as the side's flows
// are read a second time, and the page's bottom.
func writePage(w io.Writer, p pageView) error {
	if err := htmlPage.Execute(w, p); err != nil {
		return err
	}
	for _, s := range p.Sides {
		if err := htmlPage.ExecuteTemplate(w, "side-top", s); err != nil {
			return err
		}
		if err := newHTMLFlowRows(w, s.undated).write(s.flows); err != nil {
			return err
		}
		if err := htmlPage.ExecuteTemplate(w, "side-bottom", s); err != nil {
			return err
		}
	}
	return htmlPage.ExecuteTemplate(w, "bottom", p)
}

// counted yields the flows of flows, counting them in n.
func counted(flows iter.Seq[*report.Flow], n *int) iter.Seq[*report.Flow] {
	return func(yield func(*report.Flow) bool) {
		for f := range flows {
			*n++
			if !yield(f) {
				return
			}
		}
	}
}

// analysisPage is what the page of an analysis shows. It reads the flows
// once, for the diagrams; writePage reads them again for the flows table.
func analysisPage(r *report.Report, flows iter.Seq[*report.Flow]) pageView {
	flows = flowsOf(r, flows)
	p := pageView{Title: "pcapcheck analyze", Captures: []sideCaptures{{Files: captureNames(r.Captures)}}}
	n := 0
	graphs := buildGraphs(r, counted(flows, &n), diagramLimits)
	p.Clients = make([]clientView, len(graphs))
	p.Sides = make([]sideView, 1)
	// Once the flows are read, the diagrams and the side's tables are all
	// that is left to do, each on its own: done on every core.
	inParallel(len(graphs)+1, func(i int) {
		if i == len(graphs) {
			p.Sides[0] = side("", r, flows, n)
			return
		}
		d := diagram(graphs[i], "", nil)
		d.writeParts()
		p.Clients[i] = clientView{Client: Clean(graphs[i].client), Diagrams: []diagramView{d}}
	})
	return p
}

// comparisonPage is what the page of a comparison shows.
func comparisonPage(c *report.Comparison, beforeFlows, afterFlows iter.Seq[*report.Flow]) pageView {
	beforeFlows, afterFlows = flowsOf(c.Before, beforeFlows), flowsOf(c.After, afterFlows)
	p := pageView{Title: "pcapcheck compare", Compare: true,
		Captures: []sideCaptures{{Side: "Before", Files: captureNames(c.Before.Captures)}, {Side: "After", Files: captureNames(c.After.Captures)}}}
	changed := map[[2]string]report.Change{}
	for _, ch := range c.Changes {
		changed[[2]string{ch.Client.String(), ch.Destination.String()}] = ch
		p.Changes = append(p.Changes, Clean(ch.Meaning))
	}
	nb, na := 0, 0
	before := graphsByClient(buildGraphs(c.Before, counted(beforeFlows, &nb), diagramLimits))
	after := graphsByClient(buildGraphs(c.After, counted(afterFlows, &na), diagramLimits))
	clients := slices.Sorted(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			clients = append(clients, k)
		}
	}
	slices.Sort(clients)
	for _, client := range clients {
		cv := clientView{Client: Clean(client)}
		for _, ch := range c.Changes {
			if ch.Client.String() == client {
				cv.Meanings = append(cv.Meanings, Clean(ch.Meaning))
			}
		}
		isChanged := func(dest string) (report.Change, bool) {
			ch, ok := changed[[2]string{client, dest}]
			return ch, ok
		}
		b, a := before[client], after[client]
		cv.Diagrams = []diagramView{
			compared(b, a, "before", "Before", "removed", isChanged),
			compared(a, b, "after", "After", "added", isChanged),
		}
		p.Clients = append(p.Clients, cv)
	}
	for _, ch := range allChanges(c) {
		p.Pairs = append(p.Pairs, pairView{
			Client: Clean(ch.Client.String()), Destination: Clean(ch.Destination.String()), Before: ch.Before.String(), After: ch.After.String(),
			Changed:       ch.Before != ch.After,
			ServersBefore: serverList(c.Before, ch.Client, ch.Destination), ServersAfter: serverList(c.After, ch.Client, ch.Destination),
		})
	}
	p.Sides = []sideView{side("Before", c.Before, beforeFlows, nb), side("After", c.After, afterFlows, na)}
	return p
}

func graphsByClient(gs []*graph) map[string]*graph {
	m := make(map[string]*graph, len(gs))
	for _, g := range gs {
		m[g.client] = g
	}
	return m
}

// compared draws one side of a comparison, marking what the other side
// lacks with diff ("removed" on the before side, "added" on the after
// side). A side without traffic of this client is an empty diagram.
func compared(g, other *graph, side, title, diff string, isChanged func(string) (report.Change, bool)) diagramView {
	if g == nil {
		return diagramView{Side: side, Title: title, Empty: "no traffic from this client in the " + side + " captures"}
	}
	d := diagram(g, diff, other)
	d.Side, d.Title = side, title
	for i := range d.Lanes {
		if ch, ok := isChanged(g.lanes[i].destination); ok {
			d.Lanes[i].Change = ch.Before.String() + " → " + ch.After.String()
		}
	}
	d.writeParts()
	return d
}

// diagram turns a graph into what the template draws. With other set,
// nodes and edges it lacks get the class diff.
func diagram(g *graph, diff string, other *graph) diagramView {
	l := place(g)
	d := diagramView{W: l.w, H: l.h, Label: "paths of " + Clean(g.client), Footer: l.footer, FooterY: l.footerY,
		Lanes: make([]laneView, 0, len(l.lanes)), Edges: make([]edgeView, 0, len(l.edges)), Nodes: make([]nodeView, 0, len(l.nodes))}
	var nodeIDs, edgeIDs map[string]bool
	if other != nil {
		ol := place(other)
		nodeIDs, edgeIDs = map[string]bool{}, map[string]bool{}
		for _, n := range ol.nodes {
			nodeIDs[n.nodeID()] = true
		}
		for _, e := range ol.edges {
			edgeIDs[e.edgeID()] = true
		}
	}
	for _, ln := range l.lanes {
		d.Lanes = append(d.Lanes, laneView{
			Y: ln.y, W: ln.w, H: ln.h, Destination: Clean(ln.destination), Verdict: ln.verdict.String(),
			Caption: ln.caption, Tip: ln.captionTip, CaptionX: ln.captionX, CaptionY: ln.captionY,
		})
	}
	for _, e := range l.edges {
		ev := edgeView{Kind: e.kind.String(), From: Clean(l.nodes[e.from].key), To: Clean(l.nodes[e.to].key),
			Path: e.path, Arrow: e.arrow, Flows: e.flowsText, Packets: e.pktsText, LabelX: e.labelX, FlowsY: e.flowsY, PacketsY: e.pktsY}
		if other != nil && !edgeIDs[e.edgeID()] {
			ev.Diff = diff
		}
		d.Edges = append(d.Edges, ev)
	}
	for _, n := range l.nodes {
		nv := nodeView{Kind: n.kind.String(), Node: Clean(n.key), Addr: Clean(n.addr), X: n.x, Y: n.y, W: n.w, H: n.h,
			Title: n.title, Sub: n.sub, Tip: n.tip, TextX: padX}
		if other != nil && !nodeIDs[n.nodeID()] {
			nv.Diff = diff
		}
		d.Nodes = append(d.Nodes, nv)
	}
	return d
}

// edgeID is an edge's identity across the two sides of a comparison.
func (e placedEdge) edgeID() string { return e.kind.String() + "\x00" + e.fromKey + "\x00" + e.toKey }

// side is what the page shows of one report: its tables, and the n flows
// of its flows table.
func side(name string, r *report.Report, flows iter.Seq[*report.Flow], n int) sideView {
	s := sideView{Name: name, HasFlows: n > 0, flows: flows, undated: undated(r.Captures)}
	if name != "" {
		s.ID = strings.ToLower(name)
	}
	for _, c := range r.Captures {
		s.Captures = append(s.Captures, captureView{
			File: Clean(c.File), Format: c.Format, Compressed: c.Compressed, LinkTypes: strings.Join(cleanAll(c.LinkTypes), ", "),
			Interfaces: strings.Join(cleanAll(c.Interfaces), ", "), Packets: c.Packets, Decoded: c.Decoded,
			Skipped: counts(c.Skipped), Problems: counts(c.Problems),
			First: stamp(c.First, c.TimeOfDayOnly), Last: stamp(c.Last, c.TimeOfDayOnly), Complete: c.Complete,
		})
	}
	inv := r.Inventory
	s.Inventory = inventoryView{Files: cleanAll(inv.Files), Pods: inv.Pods, Services: inv.Services, Endpoints: inv.Endpoints,
		Nodes: inv.Nodes, Registries: cleanAll(inv.Registries)}
	for _, row := range r.Summary {
		servers := serverLines(row.Servers)
		s.Summary = append(s.Summary, summaryView{Client: Clean(row.Client.String()), Destination: Clean(row.Destination.String()),
			Verdict: row.Verdict.String(), Qualifier: qualifier(row.Role, row.Intercepted), Expected: expectedCell(row.Expected, row.Verdict), Ambiguous: row.Ambiguous,
			Flows: row.Flows, Packets: row.Packets, Bytes: row.Bytes, Servers: servers, Nodes: cleanAll(row.Nodes)})
		s.Expected = s.Expected || !row.Expected.IsZero()
		s.Nodes = s.Nodes || len(row.Nodes) > 0
	}
	for i := range s.Summary {
		s.Summary[i].ExpectedColumn = s.Expected
		s.Summary[i].NodesColumn = s.Nodes
	}
	s.SummaryHTML = summaryHTML(s.Summary)
	s.Warnings = cleanAll(r.Warnings)
	return s
}

// counts lists a map of counts as "reason: n", sorted.
func counts(m map[string]int) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s: %d", Clean(k), m[k]))
	}
	return strings.Join(out, ", ")
}

func captureNames(caps []report.Capture) []string {
	var out []string
	for _, c := range caps {
		out = append(out, fmt.Sprintf("%s (%s, %d packets)", Clean(c.File), c.Format, c.Packets))
	}
	return out
}

// serverList lists the servers a side's summary rows reached for a pair.
func serverList(r *report.Report, client, destination report.Label) []string {
	var out []string
	for _, row := range r.Summary {
		if row.Client == client && row.Destination == destination && row.Role != report.RoleSidecarUpstream {
			out = append(out, serverLines(row.Servers)...)
		}
	}
	return out
}

// The views hold only cleaned strings and numbers: the template escapes
// them for HTML and adds nothing of its own but pcapcheck's markup.
type (
	pageView struct {
		Title    string
		Compare  bool
		Captures []sideCaptures
		Changes  []string
		Clients  []clientView
		Pairs    []pairView
		Sides    []sideView
	}
	sideCaptures struct {
		Side  string
		Files []string
	}
	clientView struct {
		Client   string
		Meanings []string
		Diagrams []diagramView
	}
	diagramView struct {
		Side, Title, Empty string
		Label              string
		W, H               int
		Lanes              []laneView
		Edges              []edgeView
		Nodes              []nodeView
		Footer             string
		FooterY            int
		// LanesHTML, EdgesHTML and NodesHTML are Lanes, Edges and Nodes as
		// the page writes them (writeParts).
		LanesHTML, EdgesHTML, NodesHTML template.HTML
	}
	laneView struct {
		Y, W, H              int
		Destination, Verdict string
		Change               string
		Caption, Tip         string
		CaptionX, CaptionY   int
	}
	edgeView struct {
		Kind, From, To, Diff     string
		Path, Arrow              string
		Flows, Packets           string
		LabelX, FlowsY, PacketsY int
	}
	nodeView struct {
		Kind, Node, Addr, Diff string
		X, Y, W, H, TextX      int
		Title, Sub, Tip        string
	}
	pairView struct {
		Client, Destination, Before, After string
		Changed                            bool
		ServersBefore, ServersAfter        []string
	}
	sideView struct {
		Name, ID  string
		Captures  []captureView
		Inventory inventoryView
		Summary   []summaryView
		// SummaryHTML is Summary's rows as the page writes them.
		SummaryHTML template.HTML
		// Expected: some summary row has a predicted path (Sidecar objects
		// were given), so the summary shows the column.
		Expected bool
		// Nodes: some summary row names the nodes that saw it (a merged
		// report), so the summary shows the column.
		Nodes bool
		// HasFlows: the side has flows, so the page shows the flows table.
		HasFlows bool
		Warnings []string
		// flows are the side's flows, and undated says whether their
		// times are shown without dates: writePage writes the flows
		// table's rows (htmlFlowRows) from them.
		flows   iter.Seq[*report.Flow]
		undated bool
	}
	captureView struct {
		File, Format, LinkTypes, Interfaces string
		Compressed, Complete                bool
		Packets, Decoded                    int
		Skipped, Problems, First, Last      string
	}
	inventoryView struct {
		Files                            []string
		Pods, Services, Endpoints, Nodes int
		Registries                       []string
	}
	summaryView struct {
		Client, Destination, Verdict, Qualifier string
		Expected                                string
		// ExpectedColumn: the table shows the Expected column (sideView's
		// Expected).
		ExpectedColumn bool
		// NodesColumn: the table shows the Nodes column (sideView's Nodes).
		NodesColumn      bool
		Ambiguous, Flows int
		Packets, Bytes   int64
		Servers, Nodes   []string
	}
)
