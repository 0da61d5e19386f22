package render

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Mermaid charts of the path graph, for Markdown: GitHub renders a
// ```mermaid block in pull requests and in $GITHUB_STEP_SUMMARY. Node ids
// are generated (c1n0, c1n1...), never taken from a report; every label is
// quoted and every character of it that Mermaid, Markdown or HTML could read
// as syntax is written as a Mermaid entity (#quot;, #35;...), so a hostile
// SNI or pod name can neither end the label, nor the chart, nor the code
// fence.

// mermaidLimits keep a chart under what GitHub's Mermaid draws (500 edges
// and 50,000 characters by default); the tables list everything.
var mermaidLimits = graphLimits{maxLanes: 30, maxServers: 6}

// mermaidMaxEdges bounds the edges of one chart across its clients.
const mermaidMaxEdges = 400

// mermaidTitleLen bounds a node's lines; Mermaid would otherwise widen the
// node to the longest name.
const mermaidTitleLen = 48

// mermaidChart writes one ```mermaid block of a report's paths, drawn as
// graphs. With other set (the other side of a comparison's graphs), nodes
// and edges that it lacks get the class "diff".
func mermaidChart(b *bytes.Buffer, graphs, other []*graph) {
	if len(graphs) == 0 {
		return
	}
	var otherNodes, otherEdges map[string]bool
	if other != nil {
		otherNodes, otherEdges = map[string]bool{}, map[string]bool{}
		for _, g := range other {
			for _, n := range g.nodes {
				otherNodes[g.client+"\x00"+n.nodeID()] = true
			}
			for _, e := range g.edges {
				otherEdges[g.client+"\x00"+graphEdgeID(g, e)] = true
			}
		}
	}
	var body bytes.Buffer
	classes := map[string][]string{}
	var classOrder []string
	addClass := func(class, id string) {
		if _, ok := classes[class]; !ok {
			classOrder = append(classOrder, class)
		}
		classes[class] = append(classes[class], id)
	}
	edges, drawn, lanesLeft := 0, 0, 0
	var diffEdges []diffEdge
	for gi, g := range graphs {
		if drawn > 0 && edges+len(g.edges) > mermaidMaxEdges {
			break
		}
		drawn++
		lanesLeft += g.lanesLeft
		prefix := "c" + strconv.Itoa(gi+1)
		fmt.Fprintf(&body, "  subgraph %s[\"%s\"]\n", prefix, mermaidText(g.client))
		// A subgraph does not take the chart's direction: it says its own.
		body.WriteString("    direction LR\n")
		for i, n := range g.nodes {
			id := prefix + "n" + strconv.Itoa(i)
			label := mermaidText(truncMiddle(Clean(n.title), mermaidTitleLen))
			if n.sub != "" {
				label += "<br/>" + mermaidText(truncMiddle(Clean(n.sub), mermaidTitleLen))
			}
			open, close := mermaidShape(n.kind)
			fmt.Fprintf(&body, "    %s%s\"%s\"%s\n", id, open, label, close)
			addClass(n.kind.String(), id)
			if otherNodes != nil && !otherNodes[g.client+"\x00"+n.nodeID()] {
				addClass("diff", id)
			}
		}
		for _, e := range g.edges {
			from, to := prefix+"n"+strconv.Itoa(e.from), prefix+"n"+strconv.Itoa(e.to)
			arrow := mermaidArrow(e.kind)
			if f, p := e.label(); f != "" {
				fmt.Fprintf(&body, "    %s %s|\"%s, %s\"| %s\n", from, arrow, f, p, to)
			} else {
				fmt.Fprintf(&body, "    %s %s %s\n", from, arrow, to)
			}
			if otherEdges != nil && !otherEdges[g.client+"\x00"+graphEdgeID(g, e)] {
				diffEdges = append(diffEdges, diffEdge{edges, e.kind})
			}
			edges++
		}
		body.WriteString("  end\n")
	}
	// "diff" last: of two classDefs that set the same property, the later wins.
	if i := slices.Index(classOrder, "diff"); i >= 0 {
		classOrder = append(slices.Delete(classOrder, i, i+1), "diff")
	}
	b.WriteString("```mermaid\nflowchart LR\n")
	b.Write(body.Bytes())
	for _, class := range classOrder {
		if style, ok := mermaidStyles[class]; ok {
			fmt.Fprintf(b, "  classDef %s %s\n", mermaidClassName(class), style)
		}
	}
	for _, class := range classOrder {
		if _, ok := mermaidStyles[class]; ok {
			fmt.Fprintf(b, "  class %s %s\n", strings.Join(classes[class], ","), mermaidClassName(class))
		}
	}
	for _, d := range diffEdges {
		fmt.Fprintf(b, "  linkStyle %d stroke:%s,stroke-width:3px\n", d.index, mermaidEdgeColor(d.kind))
	}
	b.WriteString("```\n")
	var left []string
	if n := len(graphs) - drawn; n > 0 {
		left = append(left, strconv.Itoa(n)+" more clients")
	}
	if lanesLeft > 0 {
		left = append(left, strconv.Itoa(lanesLeft)+" more destinations")
	}
	if len(left) > 0 {
		fmt.Fprintf(b, "\nThe chart leaves out %s; the table lists them.\n", strings.Join(left, " and "))
	}
}

// diffEdge is an edge only this side of a comparison has: the index
// linkStyle numbers it by, and its kind.
type diffEdge struct {
	index int
	kind  edgeKind
}

// mermaidEdgeColor is the color of an edge of kind k, as the HTML report
// draws it; an edge only one side has is drawn thicker in it there too.
func mermaidEdgeColor(k edgeKind) string {
	switch k {
	case edgeMesh, edgeDNAT:
		return "#1a7f37"
	case edgePassthrough:
		return "#9a6700"
	case edgeKubeProxy, edgeNAT:
		return "#bc4c00"
	}
	return "#57606a"
}

// graphEdgeID names an edge by its ends, the same on both sides.
func graphEdgeID(g *graph, e gedge) string {
	return e.kind.String() + "\x00" + g.nodes[e.from].nodeID() + "\x00" + g.nodes[e.to].nodeID()
}

// mermaidStyles colors node kinds as the HTML report does; "diff" marks
// what only this side of a comparison has.
var mermaidStyles = map[string]string{
	kindPod.String():       "fill:#ddf4ff,stroke:#0969da",
	kindAddress.String():   "fill:#ddf4ff,stroke:#0969da",
	kindSidecar.String():   "fill:#dafbe1,stroke:#1a7f37",
	kindClusterIP.String(): "fill:#fff8c5,stroke:#9a6700",
	kindKubeProxy.String(): "fill:#fff1e5,stroke:#bc4c00",
	kindExternal.String():  "fill:#fbefff,stroke:#8250df",
	kindNode.String():      "fill:#eaeef2,stroke:#57606a",
	kindUnknown.String():   "fill:#ffffff,stroke:#57606a,stroke-dasharray:4 3",
	kindUnseen.String():    "fill:#ffffff,stroke:#57606a,stroke-dasharray:4 3",
	kindMore.String():      "fill:#ffffff,stroke:#57606a,stroke-dasharray:4 3",
	"diff":                 "stroke:#cf222e,stroke-width:3px",
}

// mermaidClassName makes a kind a class name Mermaid accepts.
func mermaidClassName(kind string) string { return "k" + strings.ReplaceAll(kind, "-", "") }

func mermaidShape(k nodeKind) (open, close string) {
	switch k {
	case kindSidecar:
		return "[[", "]]"
	case kindClusterIP:
		return "([", "])"
	case kindKubeProxy:
		return "{{", "}}"
	case kindExternal:
		return "[/", "/]"
	case kindNode:
		return "[(", ")]"
	}
	return "[", "]"
}

func mermaidArrow(k edgeKind) string {
	switch k {
	case edgePassthrough:
		return "-.->"
	case edgeKubeProxy, edgeNAT:
		return "==>"
	}
	return "-->"
}

// mermaidText escapes a string for a quoted Mermaid label. Letters,
// digits, a few harmless ASCII punctuation marks and printable non-ASCII
// characters (none of which is Mermaid, Markdown or HTML syntax) stay;
// every other ASCII character, including quotes, angle brackets,
// backticks, '#', ';', '%', '|' and brackets, becomes an entity. Control
// characters and bidi overrides were spelled out by clean before.
func mermaidText(s string) string {
	s = Clean(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" .:/_,=@-", r),
			r >= 0xA0 && unicode.IsGraphic(r):
			b.WriteRune(r)
		case r == '"':
			b.WriteString("#quot;")
		case r == '<':
			b.WriteString("#lt;")
		case r == '>':
			b.WriteString("#gt;")
		case r == '&':
			b.WriteString("#amp;")
		default:
			b.WriteString("#" + strconv.Itoa(int(r)) + ";")
		}
	}
	return b.String()
}
