package render

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// tableRenderer prints kubectl-style tables: borderless, left-aligned,
// headers in capitals, one section per part of the report.
type tableRenderer struct{ o options }

func (t tableRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	var b bytes.Buffer
	t.captures(&b, r.Captures)
	section(&b, "SUMMARY")
	t.summary(&b, r.Summary)
	if t.o.flows && t.o.width <= 0 {
		// Not fitted to a width, the flows are printed as they come: the
		// table of every flow and its evidence held as compactly as they
		// can be, not the whole text (issue 15).
		section(&b, "FLOWS")
		out := &trimWriter{w: bufio.NewWriterSize(w, 64<<10)}
		out.Write(b.Bytes())
		t.flows(out, flowsOf(r, flows), undated(r.Captures))
		b.Reset()
		warningsSection(&b, r.Warnings)
		if b.Len() > 0 {
			out.WriteByte('\n')
			out.Write(b.Bytes())
		}
		return out.Flush()
	}
	if t.o.flows {
		section(&b, "FLOWS")
		t.flows(&b, flowsOf(r, flows), undated(r.Captures))
	}
	warningsSection(&b, r.Warnings)
	_, err := w.Write(wrapProse(trimLines(b.Bytes()), t.o.width))
	return err
}

func (t tableRenderer) Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error {
	var b bytes.Buffer
	for _, side := range []struct {
		name string
		r    *report.Report
	}{{"BEFORE", c.Before}, {"AFTER", c.After}} {
		fmt.Fprintf(&b, "%-7s %s\n", side.name, captureList(side.r.Captures))
	}
	section(&b, "VERDICTS")
	tbl := t.newGrid(&b, "CLIENT", "DESTINATION", "BEFORE", "AFTER", "SERVERS BEFORE", "SERVERS AFTER")
	for _, ch := range allChanges(c) {
		tbl.Append(Clean(ch.Client.String()), Clean(ch.Destination.String()), paintSet(t.o.color, ch.Before), paintSet(t.o.color, ch.After),
			serverCell(c.Before, ch.Client, ch.Destination), serverCell(c.After, ch.Client, ch.Destination))
	}
	tbl.Render()
	section(&b, "CHANGES")
	if len(c.Changes) == 0 {
		b.WriteString("none: every client and destination kept its verdict\n")
	}
	for _, ch := range c.Changes {
		fmt.Fprintf(&b, "- %s\n", Clean(ch.Meaning))
	}
	if t.o.flows {
		section(&b, "FLOWS BEFORE")
		t.flows(&b, flowsOf(c.Before, before), undated(c.Before.Captures))
		section(&b, "FLOWS AFTER")
		t.flows(&b, flowsOf(c.After, after), undated(c.After.Captures))
	}
	warnings := sideWarnings(c)
	warningsSection(&b, warnings)
	_, err := w.Write(wrapProse(trimLines(b.Bytes()), t.o.width))
	return err
}

// allChanges lists changed and unchanged pairs together, in order.
func allChanges(c *report.Comparison) []report.Change {
	all := append(append([]report.Change{}, c.Changes...), c.Unchanged...)
	sortChanges(all)
	return all
}

// serverCell lists the servers a side's summary rows reached for a pair.
func serverCell(r *report.Report, client, destination report.Label) string {
	var lines []string
	for _, row := range r.Summary {
		if row.Client == client && row.Destination == destination && row.Role != report.RoleSidecarUpstream {
			lines = append(lines, serverLines(row.Servers)...)
		}
	}
	if len(lines) == 0 {
		return "-"
	}
	return strings.Join(lines, "\n")
}

func serverLabel(s report.Server) string {
	if s.Pod.IsZero() {
		return Clean(s.Addr.String())
	}
	return Clean(s.Addr.String() + " " + s.Pod.Name)
}

// serverLines lists a row's servers, one a line: the pods kube-proxy chose
// come after the ClusterIP they were reached through ("10.96.0.1:80 →").
func serverLines(servers []report.Server) []string {
	var out []string
	var via report.Endpoint
	for _, s := range servers {
		if s.Via.IsValid() && s.Via != via {
			out = append(out, Clean(s.Via.String())+" →")
		}
		via = s.Via
		out = append(out, serverLabel(s))
	}
	return out
}

func (t tableRenderer) captures(b *bytes.Buffer, caps []report.Capture) {
	tbl := t.newGrid(b, "CAPTURE", "FORMAT", "LINK TYPES", "PACKETS", "TCP/UDP", "FIRST", "LAST")
	for _, c := range caps {
		format := c.Format
		if c.Compressed {
			format += "+gzip"
		}
		if !c.Complete {
			format += " (cut short)"
		}
		tbl.Append(Clean(c.File), format, strings.Join(c.LinkTypes, ","), strconv.Itoa(c.Packets), strconv.Itoa(c.Decoded),
			stamp(c.First, c.TimeOfDayOnly), stamp(c.Last, c.TimeOfDayOnly))
	}
	tbl.Render()
}

func (t tableRenderer) summary(b *bytes.Buffer, all []report.SummaryRow) {
	rows, legs := appRows(all)
	defer func() {
		if legs > 0 {
			fmt.Fprintf(b, "(and %s: the sidecar's upstream legs of the intercepted connections above; --flows lists them)\n", count(legs, "flow"))
		}
	}()
	if len(rows) == 0 {
		b.WriteString("no flows\n")
		return
	}
	expected := slices.ContainsFunc(rows, func(r report.SummaryRow) bool { return !r.Expected.IsZero() })
	header := []string{"CLIENT", "DESTINATION", "VERDICT", "FLOWS", "PACKETS", "BYTES", "SERVERS"}
	if expected {
		header = slices.Insert(header, 3, "EXPECTED")
	}
	nodes := slices.ContainsFunc(rows, func(r report.SummaryRow) bool { return len(r.Nodes) > 0 })
	if nodes {
		header = append(header, "NODES")
	}
	tbl := t.newGrid(b, header...)
	for _, row := range rows {
		verdict := verdictText(t.o.color, row.Verdict, row.Role, row.Intercepted)
		if row.Ambiguous > 0 {
			verdict += fmt.Sprintf(" (%d ambiguous)", row.Ambiguous)
		}
		servers := serverLines(row.Servers)
		cells := []string{Clean(row.Client.String()), Clean(row.Destination.String()), verdict, strconv.Itoa(row.Flows),
			strconv.FormatInt(row.Packets, 10), strconv.FormatInt(row.Bytes, 10), strings.Join(servers, "\n")}
		if expected {
			cells = slices.Insert(cells, 3, expectedCell(row.Expected, row.Verdict))
		}
		if nodes {
			// Each name is cleaned alone: the line breaks between them are
			// the table's, not the names'.
			lines := make([]string, len(row.Nodes))
			for i, n := range row.Nodes {
				lines[i] = Clean(n)
			}
			cells = append(cells, strings.Join(lines, "\n"))
		}
		tbl.Append(cells...)
	}
	tbl.Render()
}

// appRows leaves out the rows of the sidecar's upstream legs of
// intercepted connections, which are counted in those connections' rows,
// and says how many flows they hold.
func appRows(rows []report.SummaryRow) (kept []report.SummaryRow, legs int) {
	for _, r := range rows {
		if r.Role == report.RoleSidecarUpstream {
			legs += r.Flows
			continue
		}
		kept = append(kept, r)
	}
	return kept, legs
}

// expectedCell is what the EXPECTED column says: the predicted path, marked
// when the traffic took another.
func expectedCell(expected report.PathSet, observed report.Verdict) string {
	switch {
	case expected.IsZero():
		return "-"
	case !expected.Matches(observed):
		return expected.String() + " (differs)"
	}
	return expected.String()
}

// expectedFlowCell is expectedCell for one flow's path.
func expectedFlowCell(expected report.Path, observed report.Verdict) string {
	return expectedCell(report.PathSet(0).Add(expected), observed)
}

// flows lists every flow in a table, then each flow's evidence. The
// evidence is gathered as the table's rows are, so that the flows are read
// once.
func (t tableRenderer) flows(b textWriter, flows iter.Seq[*report.Flow], undated bool) {
	header := []string{"#", "PROTO", "CLIENT", "SERVER", "NAT TO", "SERVICE", "VERDICT", "HANDSHAKE", "PACKETS", "BYTES", "FIRST"}
	// Fitted to a width, the table is a grid: its rows are tried
	// shortened and stacked. Else its cells are gathered as columns.
	var rows [][]string
	cols := newColumns(len(header))
	cols.row(header)
	var ev chunkBuffer
	// lines holds each piece of evidence's line: flows share their evidence.
	lines := map[*report.Evidence]string{}
	i := 0
	for f := range flows {
		i++
		row := [...]string{strconv.Itoa(i), f.Proto.String(), Clean(f.Client.String()), Clean(f.Server.String()), dash(Clean(addrText(f.NATTo.AddrPort))), dash(Clean(f.Service.String())),
			verdictText(t.o.color, f.Verdict, f.Role, f.Intercepted), dash(f.Handshake.String()), strconv.FormatInt(f.Packets, 10), strconv.FormatInt(f.Bytes, 10), stamp(&f.First, undated)}
		if t.o.width > 0 {
			rows = append(rows, slices.Clone(row[:]))
		} else {
			cols.row(row[:])
		}
		t.evidence(&ev, i, f, lines)
	}
	if i == 0 {
		b.WriteString("no flows\n")
		return
	}
	if t.o.width > 0 {
		var tb bytes.Buffer
		tbl := t.newGrid(&tb, header...)
		for _, row := range rows {
			tbl.Append(row...)
		}
		tbl.Render()
		b.Write(tb.Bytes())
	} else {
		cols.writeTo(b)
	}
	b.WriteString("\nEVIDENCE\n")
	ev.writeTo(b)
}

// evidence writes the i-th flow's evidence; lines caches each piece's
// line.
func (t tableRenderer) evidence(b textWriter, i int, f *report.Flow, lines map[*report.Evidence]string) {
	b.WriteByte('#')
	b.WriteString(strconv.Itoa(i))
	for _, s := range []string{" ", f.Proto.String(), " ", Clean(f.Client.String()), " → ", Clean(f.Server.String()), ": ",
		verdictText(t.o.color, f.Verdict, f.Role, f.Intercepted), " (client from ", f.ClientFrom.String(), ")\n"} {
		b.WriteString(s)
	}
	if f.Upstream.IsValid() {
		up := f.Upstream.String()
		if !f.UpstreamPod.IsZero() {
			up += " " + f.UpstreamPod.String()
		}
		fmt.Fprintf(b, "    upstream: %s\n", Clean(up))
	}
	for _, l7 := range l7Facts(f) {
		fmt.Fprintf(b, "    %s\n", l7)
	}
	for _, e := range f.Evidence {
		l, ok := lines[e]
		if !ok {
			l = "  - " + Clean(e.String()) + "\n"
			lines[e] = l
		}
		b.WriteString(l)
	}
	if !f.Expected.IsZero() {
		fmt.Fprintf(b, "  expected: %s\n", expectedFlowCell(f.Expected, f.Verdict))
		if f.ExpectedWhy != "" {
			fmt.Fprintf(b, "    %s\n", Clean(f.ExpectedWhy))
		}
	}
}

// l7Facts lists what a flow's payload said, cleaned for a terminal.
func l7Facts(f *report.Flow) []string {
	var out []string
	if f.SNI != "" {
		out = append(out, "sni: "+Clean(f.SNI))
	}
	if len(f.ALPN) > 0 {
		out = append(out, "alpn: "+strings.Join(cleanAll(f.ALPN), ","))
	}
	if f.HTTPRequest != "" {
		out = append(out, "http: "+Clean(f.HTTPRequest))
	}
	if f.HTTPHost != "" {
		out = append(out, "host: "+Clean(f.HTTPHost))
	}
	if len(f.Interfaces) > 0 {
		out = append(out, "seen on: "+Clean(strings.Join(f.Interfaces, ", ")))
	}
	return out
}

func section(b *bytes.Buffer, title string) {
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(title + "\n")
}

func warningsSection(b *bytes.Buffer, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	section(b, "WARNINGS")
	for _, w := range warnings {
		fmt.Fprintf(b, "- %s\n", Clean(w))
	}
}

func captureList(caps []report.Capture) string {
	var parts []string
	for _, c := range caps {
		parts = append(parts, fmt.Sprintf("%s (%s, %d packets)", Clean(c.File), c.Format, c.Packets))
	}
	if len(parts) == 0 {
		return "no captures"
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stamp prints a capture time; undated tcpdump text shows the time of day
// only.
func stamp(t *time.Time, undated bool) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	if undated {
		return t.Format("15:04:05.000000")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// undated reports whether every capture of a report printed times of day
// without a date.
func undated(caps []report.Capture) bool {
	for _, c := range caps {
		if !c.TimeOfDayOnly {
			return false
		}
	}
	return len(caps) > 0
}

// trimLines drops the trailing spaces the table pads its last column with.
// It trims b in place, and returns it shortened.
func trimLines(b []byte) []byte {
	out := b[:0]
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, bytes.TrimRight(b, " ")...)
		}
		// out never passes b: append moves the line down.
		out = append(out, bytes.TrimRight(b[:i], " ")...)
		out = append(out, '\n')
		b = b[i+1:]
	}
}

func sortChanges(cs []report.Change) {
	slices.SortFunc(cs, func(x, y report.Change) int {
		return cmp.Or(x.Client.Compare(y.Client), x.Destination.Compare(y.Destination))
	})
}
