package render

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The layout places a graph on a grid: one column per hop, one lane per
// destination, one row per end node. Sizes come from the content (text is
// measured as monospace, which the SVG uses), clamped so that long names
// are truncated rather than widening the page. Edges are drawn
// orthogonally: out of a node, along a vertical trunk in the gap right of
// it, then straight into the target's row. Columns that a lane does not use
// are empty in that lane, and the client and sidecar sit in columns of
// their own, so no edge crosses a node and no label meets another.

// Geometry, in CSS pixels. Character widths are in tenths of a pixel:
// monospace glyphs are 0.6em wide, with a little to spare.
const (
	titleCharW  = 73 // 12px
	smallCharW  = 67 // 11px: subtitles, edge labels, lane captions
	nodeH       = 38
	rowPitch    = 50
	laneHead    = 18
	laneGap     = 8
	padX        = 10
	colMinW     = 96
	colMaxW     = 270
	minGap      = 44
	margin      = 12
	trunkOffset = 12
	arrowLen    = 7
	footerH     = 22
)

type box struct{ x, y, w, h int }

func (b box) overlaps(o box) bool {
	return b.x < o.x+o.w && o.x < b.x+b.w && b.y < o.y+o.h && o.y < b.y+b.h
}

// segment is a straight piece of an edge, horizontal or vertical.
type segment struct{ x1, y1, x2, y2 int }

type placedNode struct {
	gnode
	box
	// title and sub are cleaned and truncated to fit; tip is cleaned and
	// whole.
	title, sub, tip string
}

type placedEdge struct {
	gedge
	path, arrow          string
	flowsText, pktsText  string
	labelX               int // right end of both labels
	flowsY, pktsY        int // baselines
	flowsBox, pktsBox    box
	segments             []segment
	fromKey, toKey, side string
}

type placedLane struct {
	glane
	box
	caption, captionTip string
	captionX, captionY  int
	captionBox          box
}

type layout struct {
	w, h    int
	nodes   []placedNode
	edges   []placedEdge
	lanes   []placedLane
	footer  string // says how many destinations were left out
	footerY int
}

func textW(s string, charW int) int { return (utf8.RuneCountInString(s)*charW + 9) / 10 }

// fitChars is how many characters of width charW fit in w pixels.
func fitChars(w, charW int) int { return w * 10 / charW }

// truncMiddle shortens s to max runes, keeping both ends (pod names differ
// at the end, namespaces at the start) around an ellipsis.
func truncMiddle(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	if max < 2 {
		return "…"
	}
	tail := (max - 1) / 2
	head := max - 1 - tail
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// place lays out a graph.
func place(g *graph) *layout {
	l := &layout{lanes: make([]placedLane, 0, len(g.lanes)), nodes: make([]placedNode, 0, len(g.nodes)), edges: make([]placedEdge, 0, len(g.edges))}
	// Column widths from content.
	var colW [numCols]int
	for _, n := range g.nodes {
		need := max(textW(Clean(n.title), titleCharW), textW(Clean(n.sub), smallCharW)) + 2*padX
		colW[n.col] = max(colW[n.col], min(max(need, colMinW), colMaxW))
	}
	// Gaps from the labels of the edges that end in each column.
	var gap [numCols]int
	for _, e := range g.edges {
		f, p := e.label()
		c := g.nodes[e.to].col
		gap[c] = max(gap[c], minGap, max(textW(f, smallCharW), textW(p, smallCharW))+2*trunkOffset+4)
	}
	var colX [numCols]int
	x := margin
	first := true
	for c := range numCols {
		if colW[c] == 0 {
			continue
		}
		if !first {
			x += max(gap[c], minGap)
		}
		first = false
		colX[c] = x
		x += colW[c]
	}
	l.w = x + margin

	// Lanes, top to bottom, each as tall as its end nodes.
	rows := make([]int, len(g.lanes))
	for _, n := range g.nodes {
		if n.col == colEnd {
			rows[n.lane]++
		}
	}
	captionLeft := colX[colEnd]
	if colW[colClusterIP] > 0 {
		captionLeft = colX[colClusterIP]
	}
	y := margin
	for i, ln := range g.lanes {
		r := max(rows[i], 1)
		pl := placedLane{glane: ln, box: box{0, y, l.w, laneHead + r*rowPitch}}
		tail := " · " + ln.verdict.String()
		if ln.ambiguous > 0 {
			tail += " (" + strconv.Itoa(ln.ambiguous) + " ambiguous)"
		}
		dest := Clean(ln.destination)
		pl.captionTip = dest + tail
		room := fitChars(l.w-margin-captionLeft-4, smallCharW) - utf8.RuneCountInString(tail)
		pl.caption = truncMiddle(dest, max(room, 1)) + tail
		pl.captionX, pl.captionY = l.w-margin, y+13
		cw := textW(pl.caption, smallCharW)
		pl.captionBox = box{pl.captionX - cw, y + 3, cw, 12}
		l.lanes = append(l.lanes, pl)
		y += pl.h + laneGap
	}
	y -= laneGap
	if g.lanesLeft > 0 {
		l.footer = "+" + strconv.Itoa(g.lanesLeft) + " more destinations: see the tables below"
		l.footerY = y + 16
		y += footerH
	}
	l.h = y + margin

	// Nodes.
	next := make([]int, len(g.lanes)) // next end row of each lane
	for _, n := range g.nodes {
		pn := placedNode{gnode: n, box: box{colX[n.col], 0, colW[n.col], nodeH}}
		switch {
		case n.col == colClient:
			pn.y = spanCenter(l.lanes, func(placedLane) bool { return true }) - nodeH/2
		case n.col == colSidecar:
			pn.y = spanCenter(l.lanes, func(pl placedLane) bool { return pl.mesh }) - nodeH/2
		case n.col == colEnd:
			ln := l.lanes[n.lane]
			pn.y = ln.y + laneHead + next[n.lane]*rowPitch + (rowPitch-nodeH)/2
			next[n.lane]++
		default:
			ln := l.lanes[n.lane]
			pn.y = ln.y + laneHead + (ln.h-laneHead-nodeH)/2
		}
		inner := colW[n.col] - 2*padX
		pn.title = truncMiddle(Clean(n.title), fitChars(inner, titleCharW))
		pn.sub = truncMiddle(Clean(n.sub), fitChars(inner, smallCharW))
		pn.tip = strings.Join(cleanAll(n.tip), "\n")
		l.nodes = append(l.nodes, pn)
	}

	// Edges.
	for _, e := range g.edges {
		l.edges = append(l.edges, route(e, l.nodes[e.from], l.nodes[e.to]))
	}
	return l
}

// spanCenter is the middle of the lanes that match, or the middle of the
// first of them when the span is too tall to find its middle on a screen.
func spanCenter(lanes []placedLane, match func(placedLane) bool) int {
	top, bottom, firstMid := -1, -1, 0
	for _, ln := range lanes {
		if !match(ln) {
			continue
		}
		if top < 0 {
			top = ln.y + laneHead
			firstMid = top + (ln.h-laneHead)/2
		}
		bottom = ln.y + ln.h
	}
	if top < 0 {
		return margin + nodeH/2
	}
	if mid := (top + bottom) / 2; mid-top <= 5*rowPitch {
		return mid
	}
	return firstMid
}

// route draws an edge from the right side of one node to the left side of
// another: right to a trunk, along it, and right again into the target.
func route(e gedge, from, to placedNode) placedEdge {
	pe := placedEdge{gedge: e, fromKey: from.nodeID(), toKey: to.nodeID()}
	sx, sy := from.x+from.w, from.y+nodeH/2
	tx, ty := to.x, to.y+nodeH/2
	end := tx - arrowLen
	b := make([]byte, 0, 64)
	if sy == ty {
		b = appendNums(b, "M H", sx, sy, end)
		pe.segments = []segment{{sx, sy, end, sy}}
	} else {
		trunk := sx + trunkOffset
		dir := 1
		if ty < sy {
			dir = -1
		}
		r := min(6, abs(ty-sy)/2)
		b = appendNums(b, "M HQ   VQ   H", sx, sy, trunk-r, trunk, sy, trunk, sy+dir*r, ty-dir*r, trunk, ty, trunk+r, ty, end)
		pe.segments = []segment{{sx, sy, trunk, sy}, {trunk, sy, trunk, ty}, {trunk, ty, end, ty}}
	}
	pe.path = string(b)
	pe.arrow = string(appendNums(b[:0], "\x00, , ,", tx, ty, end, ty-4, end, ty+4))
	pe.flowsText, pe.pktsText = e.label()
	if pe.flowsText != "" {
		pe.labelX, pe.flowsY, pe.pktsY = tx-10, ty-5, ty+14
		fw, pw := textW(pe.flowsText, smallCharW), textW(pe.pktsText, smallCharW)
		pe.flowsBox = box{pe.labelX - fw, pe.flowsY - 9, fw, 11}
		pe.pktsBox = box{pe.labelX - pw, pe.pktsY - 9, pw, 11}
	}
	return pe
}

// appendNums writes each of nums after its byte of seps (none for a NUL):
// route's path and arrow without a string for every number.
func appendNums(b []byte, seps string, nums ...int) []byte {
	for i, n := range nums {
		if seps[i] != 0 {
			b = append(b, seps[i])
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return b
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
