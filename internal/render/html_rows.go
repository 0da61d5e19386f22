package render

import (
	"html/template"
	"io"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// htmlFlowRows writes the rows of the HTML page's flows table, the part of
// the page that grows with the flows (two rows a flow, some thirty values
// each). html/template costs a reflective call per value, so these rows
// are written here: byte for byte what the page's "flow" template
// (html.tmpl) writes of the same flow, which TestHTMLFlowRowsMatchTemplate
// holds them to, cleaned by Clean and escaped by appendHTMLText as the
// template's escaper escapes text and quoted attribute values. They go to
// the page's writer in pieces of some 32 KiB, from one buffer: the page
// never holds them (31 MB at 20,000 flows).
type htmlFlowRows struct {
	w       io.Writer
	b       []byte
	n       int
	undated bool
	// evidence holds each piece of evidence's list item, cleaned and
	// escaped once for the flows that share it.
	evidence map[*report.Evidence]string
}

func newHTMLFlowRows(w io.Writer, undated bool) *htmlFlowRows {
	return &htmlFlowRows{w: w, b: make([]byte, 0, htmlChunk), undated: undated, evidence: map[*report.Evidence]string{}}
}

// write writes the rows of every flow of flows, and returns the first
// error of the writer.
func (h *htmlFlowRows) write(flows iter.Seq[*report.Flow]) error {
	for f := range flows {
		h.add(f)
		if len(h.b) >= htmlChunk-4<<10 {
			if err := h.flush(); err != nil {
				return err
			}
		}
	}
	return h.flush()
}

// add writes a flow's two rows into the buffer: the flow, then its facts
// and evidence.
func (h *htmlFlowRows) add(f *report.Flow) {
	h.n++
	b := append(h.b, "\n<tr class=\"flow\"><td class=\"n\">"...)
	b = strconv.AppendInt(b, int64(h.n), 10)
	b = append(b, "</td><td>"...)
	b = appendHTMLText(b, f.Proto.String())
	b = append(b, "</td><td>"...)
	b = appendAddr(b, f.Client)
	b = appendPod(b, f.ClientPod)
	b = append(b, "</td><td>"...)
	b = appendAddr(b, f.Server)
	b = appendPod(b, f.ServerPod)
	b = append(b, "</td><td>"...)
	if f.NATTo.IsValid() {
		b = appendAddr(b, f.NATTo.AddrPort)
		b = appendPod(b, f.NATToPod)
	} else {
		b = append(b, '-')
	}
	b = append(b, "</td><td>"...)
	switch {
	case !f.Service.IsZero() || f.Service.Namespace != "":
		b = appendRef(b, f.Service)
	case f.ServicePort == 0:
		b = append(b, '-')
	}
	if f.ServicePort != 0 {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(f.ServicePort), 10)
	}
	verdict := f.Verdict.String()
	b = append(b, "</td><td class=\"v v-"...)
	b = appendHTMLText(b, verdict)
	b = append(b, "\">"...)
	b = appendHTMLText(b, verdict)
	b = append(b, "</td><td>"...)
	b = appendHTMLText(b, dash(f.Handshake.String()))
	b = append(b, "</td><td class=\"n\">"...)
	b = strconv.AppendInt(b, f.Packets, 10)
	if f.Duplicates != 0 {
		b = append(b, " (+"...)
		b = strconv.AppendInt(b, f.Duplicates, 10)
		b = append(b, " seen twice)"...)
	}
	b = append(b, "</td><td class=\"n\">"...)
	b = strconv.AppendInt(b, f.Bytes, 10)
	b = append(b, "</td><td>"...)
	b = appendStamp(b, f.First, h.undated)
	b = append(b, "</td></tr>\n<tr class=\"evidence\"><td></td><td colspan=\"10\">"...)
	b = appendFacts(b, f)
	b = append(b, "<ul>"...)
	for _, e := range f.Evidence {
		li, ok := h.evidence[e]
		if !ok {
			li = string(appendHTMLText([]byte("<li>"), Clean(e.String()))) + "</li>"
			h.evidence[e] = li
		}
		b = append(b, li...)
	}
	b = append(b, "</ul><span class=\"pod\">client from "...)
	b = appendHTMLText(b, f.ClientFrom.String())
	h.b = append(b, "</span></td></tr>"...)
}

// htmlChunk is the room of the rows' buffer. It is written out when less
// than 4 KiB is left, so that a flow's rows seldom make it grow.
const htmlChunk = 32 << 10

// flush writes the buffer out and empties it.
func (h *htmlFlowRows) flush() error {
	if len(h.b) == 0 {
		return nil
	}
	_, err := h.w.Write(h.b)
	h.b = h.b[:0]
	return err
}

// appendPod writes a pod's name under an address, when there is one.
func appendPod(b []byte, pod inventory.Ref) []byte {
	if pod.Name == "" && pod.Namespace == "" {
		return b
	}
	b = append(b, "<span class=\"pod\">"...)
	b = appendRef(b, pod)
	return append(b, "</span>"...)
}

// appendRef writes Clean(r.String()), escaped, without making the string:
// Clean maps each character alone, and the slash is one.
func appendRef(b []byte, r inventory.Ref) []byte {
	if r.Namespace != "" {
		b = appendHTMLText(b, Clean(r.Namespace))
		b = append(b, '/')
	}
	return appendHTMLText(b, Clean(r.Name))
}

// appendAddr writes Clean(a.String()), escaped: an IPv4 address and port
// needs neither, an IPv6 one may have a zone that needs both.
func appendAddr(b []byte, a netip.AddrPort) []byte {
	if a.Addr().Is4() {
		b, _ = a.AppendText(b)
		return b
	}
	return appendHTMLText(b, Clean(a.String()))
}

// appendStamp writes stamp(&t, undated), which needs no escaping.
func appendStamp(b []byte, t time.Time, undated bool) []byte {
	switch {
	case t.IsZero():
		return append(b, '-')
	case undated:
		return t.AppendFormat(b, "15:04:05.000000")
	}
	return t.AppendFormat(b, "2006-01-02 15:04:05.000000")
}

// appendFacts writes what the flow's payloads and the mesh said of it, as
// a list of names and values, when they said anything.
func appendFacts(b []byte, f *report.Flow) []byte {
	start := len(b)
	b = append(b, "<dl class=\"facts\">"...)
	some := false
	fact := func(name, value string) {
		if value == "" {
			return
		}
		some = true
		b = append(b, "<dt>"...)
		b = appendHTMLText(b, name)
		b = append(b, "</dt><dd>"...)
		b = appendHTMLText(b, Clean(value))
		b = append(b, "</dd>"...)
	}
	fact("SNI", f.SNI)
	fact("ALPN", strings.Join(f.ALPN, ", "))
	fact("HTTP request", f.HTTPRequest)
	fact("HTTP Host", f.HTTPHost)
	fact("seen on", strings.Join(f.Interfaces, ", "))
	if !f.Expected.IsZero() {
		fact("expected", expectedFlowCell(f.Expected, f.Verdict))
		fact("why it can differ", f.ExpectedWhy)
	}
	if !some {
		return b[:start]
	}
	return append(b, "</dl>"...)
}

// appendHTMLText writes s as html/template's escaper writes a string in
// text and in a quoted attribute value: NUL as U+FFFD, and " & ' + < > as
// character references. Every other byte, invalid UTF-8 included, is
// written as it is.
func appendHTMLText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if !htmlEscaped[s[i]] {
			continue
		}
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, repl...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// htmlEscaped marks the bytes appendHTMLText replaces: most strings it
// writes (SVG path data, addresses, numbers) have none, and a look-up is
// cheaper than the switch on every byte.
var htmlEscaped = [256]bool{0: true, '"': true, '&': true, '\'': true, '+': true, '<': true, '>': true}

// appendSummaryRow writes a row of the summary table as the page's
// "summary-row" template does.
func appendSummaryRow(b []byte, r *summaryView) []byte {
	b = append(b, "\n<tr><td>"...)
	b = appendHTMLText(b, r.Client)
	b = append(b, "</td><td>"...)
	b = appendHTMLText(b, r.Destination)
	b = append(b, "</td><td class=\"v v-"...)
	b = appendHTMLText(b, r.Verdict)
	b = append(b, "\">"...)
	b = appendHTMLText(b, r.Verdict)
	if r.Qualifier != "" {
		b = append(b, ", "...)
		b = appendHTMLText(b, r.Qualifier)
	}
	if r.Ambiguous != 0 {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(r.Ambiguous), 10)
		b = append(b, " ambiguous)"...)
	}
	b = append(b, "</td>"...)
	if r.ExpectedColumn {
		b = append(b, "<td>"...)
		b = appendHTMLText(b, r.Expected)
		b = append(b, "</td>"...)
	}
	b = append(b, "<td class=\"n\">"...)
	b = strconv.AppendInt(b, int64(r.Flows), 10)
	b = append(b, "</td><td class=\"n\">"...)
	b = strconv.AppendInt(b, r.Packets, 10)
	b = append(b, "</td><td class=\"n\">"...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	b = append(b, "</td><td>"...)
	for _, s := range r.Servers {
		b = appendHTMLText(b, s)
		b = append(b, "<br>"...)
	}
	b = append(b, "</td>"...)
	if r.NodesColumn {
		b = append(b, "<td>"...)
		for _, n := range r.Nodes {
			b = appendHTMLText(b, n)
			b = append(b, "<br>"...)
		}
		b = append(b, "</td>"...)
	}
	return append(b, "</tr>"...)
}

// appendLane writes a diagram's lane as the page's "lane" template does.
func appendLane(b []byte, l *laneView) []byte {
	b = append(b, "\n<g class=\"lane v-"...)
	b = appendHTMLText(b, l.Verdict)
	if l.Change != "" {
		b = append(b, " changed"...)
	}
	b = append(b, "\" data-destination=\""...)
	b = appendHTMLText(b, l.Destination)
	b = append(b, "\" data-verdict=\""...)
	b = appendHTMLText(b, l.Verdict)
	b = append(b, '"')
	if l.Change != "" {
		b = append(b, " data-change=\""...)
		b = appendHTMLText(b, l.Change)
		b = append(b, '"')
	}
	b = append(b, "><title>"...)
	b = appendHTMLText(b, l.Tip)
	if l.Change != "" {
		b = append(b, " (changed: "...)
		b = appendHTMLText(b, l.Change)
		b = append(b, ')')
	}
	b = append(b, "</title><rect x=\"0\" y=\""...)
	b = strconv.AppendInt(b, int64(l.Y), 10)
	b = append(b, "\" width=\""...)
	b = strconv.AppendInt(b, int64(l.W), 10)
	b = append(b, "\" height=\""...)
	b = strconv.AppendInt(b, int64(l.H), 10)
	b = append(b, "\"></rect><text class=\"caption\" x=\""...)
	b = strconv.AppendInt(b, int64(l.CaptionX), 10)
	b = append(b, "\" y=\""...)
	b = strconv.AppendInt(b, int64(l.CaptionY), 10)
	b = append(b, "\" text-anchor=\"end\">"...)
	b = appendHTMLText(b, l.Caption)
	return append(b, "</text></g>"...)
}

// appendEdge writes a diagram's edge as the page's "edge" template does.
func appendEdge(b []byte, e *edgeView) []byte {
	b = append(b, "\n<g class=\"edge e-"...)
	b = appendHTMLText(b, e.Kind)
	if e.Diff != "" {
		b = append(b, ' ')
		b = appendHTMLText(b, e.Diff)
	}
	b = append(b, "\" data-from=\""...)
	b = appendHTMLText(b, e.From)
	b = append(b, "\" data-to=\""...)
	b = appendHTMLText(b, e.To)
	b = append(b, "\"><path d=\""...)
	b = appendHTMLText(b, e.Path)
	b = append(b, "\"></path><polygon points=\""...)
	b = appendHTMLText(b, e.Arrow)
	b = append(b, "\"></polygon>"...)
	if e.Flows != "" {
		b = append(b, "<text class=\"label\" x=\""...)
		b = strconv.AppendInt(b, int64(e.LabelX), 10)
		b = append(b, "\" y=\""...)
		b = strconv.AppendInt(b, int64(e.FlowsY), 10)
		b = append(b, "\" text-anchor=\"end\">"...)
		b = appendHTMLText(b, e.Flows)
		b = append(b, "</text><text class=\"label\" x=\""...)
		b = strconv.AppendInt(b, int64(e.LabelX), 10)
		b = append(b, "\" y=\""...)
		b = strconv.AppendInt(b, int64(e.PacketsY), 10)
		b = append(b, "\" text-anchor=\"end\">"...)
		b = appendHTMLText(b, e.Packets)
		b = append(b, "</text>"...)
	}
	return append(b, "</g>"...)
}

// appendNode writes a diagram's node as the page's "node" template does.
func appendNode(b []byte, n *nodeView) []byte {
	b = append(b, "\n<g class=\"node k-"...)
	b = appendHTMLText(b, n.Kind)
	if n.Diff != "" {
		b = append(b, ' ')
		b = appendHTMLText(b, n.Diff)
	}
	b = append(b, "\" data-node=\""...)
	b = appendHTMLText(b, n.Node)
	b = append(b, "\" data-kind=\""...)
	b = appendHTMLText(b, n.Kind)
	b = append(b, '"')
	if n.Addr != "" {
		b = append(b, " data-addr=\""...)
		b = appendHTMLText(b, n.Addr)
		b = append(b, '"')
	}
	b = append(b, " transform=\"translate("...)
	b = strconv.AppendInt(b, int64(n.X), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(n.Y), 10)
	b = append(b, ")\"><title>"...)
	b = appendHTMLText(b, n.Tip)
	b = append(b, "</title><rect width=\""...)
	b = strconv.AppendInt(b, int64(n.W), 10)
	b = append(b, "\" height=\""...)
	b = strconv.AppendInt(b, int64(n.H), 10)
	b = append(b, "\" rx=\"6\"></rect><text class=\"t\" x=\""...)
	b = strconv.AppendInt(b, int64(n.TextX), 10)
	b = append(b, "\" y=\"16\">"...)
	b = appendHTMLText(b, n.Title)
	b = append(b, "</text><text class=\"s\" x=\""...)
	b = strconv.AppendInt(b, int64(n.TextX), 10)
	b = append(b, "\" y=\"31\">"...)
	b = appendHTMLText(b, n.Sub)
	return append(b, "</text></g>"...)
}

// writeParts writes the diagram's lanes, edges and nodes as the page
// writes them, into LanesHTML, EdgesHTML and NodesHTML: three strings of
// one buffer, not copied (a diagram of a few hundred destinations is
// megabytes), which nothing writes to once they are made.
func (d *diagramView) writeParts() {
	b := make([]byte, 0, 400*len(d.Lanes)+600*len(d.Edges)+400*len(d.Nodes))
	for i := range d.Lanes {
		b = appendLane(b, &d.Lanes[i])
	}
	lanes := len(b)
	for i := range d.Edges {
		b = appendEdge(b, &d.Edges[i])
	}
	edges := len(b)
	for i := range d.Nodes {
		b = appendNode(b, &d.Nodes[i])
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	d.LanesHTML, d.EdgesHTML, d.NodesHTML = template.HTML(s[:lanes]), template.HTML(s[lanes:edges]), template.HTML(s[edges:])
}

// summaryHTML writes the summary table's rows as the page writes them.
func summaryHTML(rows []summaryView) template.HTML {
	b := make([]byte, 0, 300*len(rows))
	for i := range rows {
		b = appendSummaryRow(b, &rows[i])
	}
	return template.HTML(unsafe.String(unsafe.SliceData(b), len(b)))
}
