package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// markdownRenderer writes GitHub-flavoured Markdown, for pull requests and
// CI step summaries.
type markdownRenderer struct{ o options }

func (m markdownRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	rows := newMDFlowRows(m.o.flows)
	fl := rows.tee(flowsOf(r, flows))
	var b bytes.Buffer
	b.WriteString("## pcapcheck analyze\n\n")
	b.WriteString("Captures: " + mdCaptures(r.Captures) + "\n\n")
	m.summary(&b, r.Summary)
	if len(r.Summary) > 0 {
		b.WriteString("\n")
		mermaidChart(&b, buildGraphs(r, fl, mermaidLimits), nil)
	}
	if !m.o.flows {
		mdWarnings(&b, r.Warnings)
		_, err := w.Write(b.Bytes())
		return err
	}
	// The flows' rows, held in chunks, are written after the text before
	// them rather than copied into it (issue 15).
	out := bufio.NewWriterSize(w, 64<<10)
	out.Write(b.Bytes())
	rows.table(out, "Flows", fl)
	b.Reset()
	mdWarnings(&b, r.Warnings)
	out.Write(b.Bytes())
	return out.Flush()
}

func (m markdownRenderer) Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error {
	rb, ra := newMDFlowRows(m.o.flows), newMDFlowRows(m.o.flows)
	fb, fa := rb.tee(flowsOf(c.Before, before)), ra.tee(flowsOf(c.After, after))
	var b bytes.Buffer
	b.WriteString("## pcapcheck compare\n\n")
	fmt.Fprintf(&b, "Before: %s  \nAfter: %s\n\n", mdCaptures(c.Before.Captures), mdCaptures(c.After.Captures))
	b.WriteString("| Client | Destination | Before | After | Servers before | Servers after |\n|---|---|---|---|---|---|\n")
	for _, ch := range allChanges(c) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCell(ch.Client.String()), mdCell(ch.Destination.String()), ch.Before, ch.After,
			mdServers(c.Before, ch), mdServers(c.After, ch))
	}
	if len(c.Before.Summary)+len(c.After.Summary) > 0 {
		b.WriteString("\n### Paths\n")
		gb, ga := buildGraphs(c.Before, fb, mermaidLimits), buildGraphs(c.After, fa, mermaidLimits)
		for _, side := range []struct {
			name     string
			r        *report.Report
			g, other []*graph
		}{{"Before", c.Before, gb, ga}, {"After", c.After, ga, gb}} {
			fmt.Fprintf(&b, "\n**%s**", side.name)
			if len(side.r.Summary) == 0 {
				b.WriteString(": no flows.\n")
				continue
			}
			b.WriteString(" (red outline: a node only on this side; thick: an edge only on this side)\n\n")
			mermaidChart(&b, side.g, side.other)
		}
	}
	b.WriteString("\n### Changes\n\n")
	if len(c.Changes) == 0 {
		b.WriteString("None: every client and destination kept its verdict.\n")
	}
	for _, ch := range c.Changes {
		fmt.Fprintf(&b, "- %s\n", mdText(ch.Meaning))
	}
	if m.o.flows {
		rb.table(&b, "Flows before", fb)
		ra.table(&b, "Flows after", fa)
	}
	warnings := sideWarnings(c)
	mdWarnings(&b, warnings)
	_, err := w.Write(b.Bytes())
	return err
}

func (m markdownRenderer) summary(b *bytes.Buffer, all []report.SummaryRow) {
	rows, _ := appRows(all)
	expected := slices.ContainsFunc(rows, func(r report.SummaryRow) bool { return !r.Expected.IsZero() })
	nodes := slices.ContainsFunc(rows, func(r report.SummaryRow) bool { return len(r.Nodes) > 0 })
	nodesHead, nodesRule := "", ""
	if nodes {
		nodesHead, nodesRule = " Nodes |", "---|"
	}
	if expected {
		b.WriteString("| Client | Destination | Verdict | Expected | Flows | Packets | Bytes | Servers |" + nodesHead + "\n|---|---|---|---|---:|---:|---:|---|" + nodesRule + "\n")
	} else {
		b.WriteString("| Client | Destination | Verdict | Flows | Packets | Bytes | Servers |" + nodesHead + "\n|---|---|---|---:|---:|---:|---|" + nodesRule + "\n")
	}
	for _, r := range rows {
		var servers []string
		for _, s := range serverLines(r.Servers) {
			servers = append(servers, mdCell(s))
		}
		verdict := verdictText(false, r.Verdict, r.Role, r.Intercepted)
		if r.Ambiguous > 0 {
			verdict += fmt.Sprintf(" (%d ambiguous)", r.Ambiguous)
		}
		if expected {
			verdict += " | " + expectedCell(r.Expected, r.Verdict)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d | %d | %s |", mdCell(r.Client.String()), mdCell(r.Destination.String()), verdict,
			r.Flows, r.Packets, r.Bytes, strings.Join(servers, "<br>"))
		if nodes {
			cells := make([]string, len(r.Nodes))
			for i, n := range r.Nodes {
				cells[i] = mdCell(n)
			}
			fmt.Fprintf(b, " %s |", strings.Join(cells, "<br>"))
		}
		b.WriteByte('\n')
	}
}

// mdFlowRows writes the rows of a flows table as the chart's graphs read
// the flows, so that they are read once and not held.
type mdFlowRows struct {
	on   bool // the table is wanted
	read bool // the flows have been read
	n    int
	b    chunkBuffer
	// cells holds each piece of evidence as a cell writes it: flows share
	// their evidence.
	cells map[*report.Evidence]string
}

func newMDFlowRows(on bool) *mdFlowRows {
	return &mdFlowRows{on: on, cells: map[*report.Evidence]string{}}
}

// tee yields the flows of flows, writing each one's row when the table is
// wanted.
func (t *mdFlowRows) tee(flows iter.Seq[*report.Flow]) iter.Seq[*report.Flow] {
	if !t.on {
		return flows
	}
	return func(yield func(*report.Flow) bool) {
		t.read = true
		for f := range flows {
			t.add(f)
			if !yield(f) {
				return
			}
		}
	}
}

// table writes the flows table under title, reading flows (a sequence
// from tee) if nothing has yet.
func (t *mdFlowRows) table(b textWriter, title string, flows iter.Seq[*report.Flow]) {
	if !t.read {
		for range flows {
		}
	}
	fmt.Fprintf(b, "\n### %s\n\n", title)
	b.WriteString("| # | Proto | Client | Server | NAT to | Service | Verdict | Packets | Bytes | Evidence |\n|---:|---|---|---|---|---|---|---:|---:|---|\n")
	t.b.writeTo(b)
}

// add writes a flow's row: its evidence in the last cell, one piece a line.
func (t *mdFlowRows) add(f *report.Flow) {
	t.n++
	b := &t.b
	b.WriteString("| ")
	b.WriteString(strconv.Itoa(t.n))
	for _, cell := range []string{f.Proto.String(), mdCell(f.Client.String()), mdCell(f.Server.String()),
		mdCell(addrText(f.NATTo.AddrPort)), mdCell(f.Service.String()), f.Verdict.String(),
		strconv.FormatInt(f.Packets, 10), strconv.FormatInt(f.Bytes, 10)} {
		b.WriteString(" | ")
		b.WriteString(cell)
	}
	b.WriteString(" | ")
	for j, e := range f.Evidence {
		c, ok := t.cells[e]
		if !ok {
			c = mdCell(e.String())
			t.cells[e] = c
		}
		if j > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(c)
	}
	if !f.Expected.IsZero() {
		exp := "expected: " + expectedFlowCell(f.Expected, f.Verdict)
		if f.ExpectedWhy != "" {
			exp += ": " + f.ExpectedWhy
		}
		if len(f.Evidence) > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(mdCell(exp))
	}
	b.WriteString(" |\n")
}

func mdServers(r *report.Report, ch report.Change) string {
	var out []string
	for _, row := range r.Summary {
		if row.Client == ch.Client && row.Destination == ch.Destination && row.Role != report.RoleSidecarUpstream {
			for _, s := range serverLines(row.Servers) {
				out = append(out, mdCell(s))
			}
		}
	}
	return strings.Join(out, "<br>")
}

func mdCaptures(caps []report.Capture) string {
	var parts []string
	for _, c := range caps {
		parts = append(parts, mdCell(c.File)+" ("+c.Format+", "+strconv.Itoa(c.Packets)+" packets)")
	}
	return strings.Join(parts, ", ")
}

func mdWarnings(b *bytes.Buffer, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	b.WriteString("\n### Warnings\n\n")
	for _, w := range warnings {
		fmt.Fprintf(b, "- %s\n", mdText(w))
	}
}

// mdText escapes an untrusted string for Markdown running text: control
// characters are spelled out, and every character Markdown or HTML would
// read as syntax is backslash-escaped or written as an entity.
func mdText(s string) string {
	s = Clean(s)
	if !strings.ContainsFunc(s, mdSyntax) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '!', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdSyntax reports whether mdText escapes r.
func mdSyntax(r rune) bool {
	return r < 0x80 && mdSyntaxBytes[r]
}

var mdSyntaxBytes = func() (syntax [0x80]bool) {
	for _, c := range "<>&\\`*_{}[]()#+!|~" {
		syntax[c] = true
	}
	return syntax
}()

// mdCell is mdText for a table cell; newlines would end the row.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(s), "\n", " ")
}
