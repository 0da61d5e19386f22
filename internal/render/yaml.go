package render

import (
	"bufio"
	"bytes"
	"io"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// yamlRenderer writes the same data as JSON, in YAML: byte for byte what
// go.yaml.in/yaml/v3's encoder, indented by two spaces, writes of the
// report types (TestYAMLStreamMatchesEncoder holds it to that over the
// goldens and fuzzed reports). It streams as the JSON writer does: the
// flows are written one at a time as the sequence yields them, never
// collected into one document. Flows, summary rows and comparison
// changes, the parts a report holds thousands of, are written by
// appendYAMLFlow, appendYAMLRow and appendYAMLChange; every other part goes
// through the encoder, and so does any flow, row or change holding a
// string that appendYAMLString leaves to it (not printable ASCII, or on
// several lines), encoded where it stands in the document so that its
// indentation is the encoder's own.
type yamlRenderer struct{}

func (yamlRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	yw := newYAMLWriter(w)
	yw.report(r, flows, 0)
	return yw.finish()
}

func (yamlRenderer) Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error {
	yw := newYAMLWriter(w)
	yw.encode(0, struct {
		Schema string `yaml:"schema"`
	}{c.Schema})
	yw.side("before", c.Before, before)
	yw.side("after", c.After, after)
	yw.changes("changes", c.Changes)
	yw.changes("unchanged", c.Unchanged)
	return yw.finish()
}

// writeYAML writes a small document (a scope, a check) with the encoder.
func writeYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

// yamlHead and yamlTail are a report's members before and after its flows
// and summary, as report.Report tags them.
type (
	yamlHead struct {
		Schema    string                `yaml:"schema"`
		Captures  []report.Capture      `yaml:"captures"`
		Inventory report.InventoryFacts `yaml:"inventory"`
	}
	yamlTail struct {
		Warnings []string          `yaml:"warnings"`
		Mesh     *report.MeshFacts `yaml:"mesh,omitempty"`
		Node     string            `yaml:"node,omitempty"`
		Nodes    []string          `yaml:"nodes,omitempty"`
	}
)

// yamlWriter writes into a scratch buffer that is handed to the writer
// every few kilobytes; the first error stops it.
type yamlWriter struct {
	w   *bufio.Writer
	b   []byte
	err error
	// evidence holds each piece of evidence as appendYAMLString wrote it
	// (nil when it left it to the encoder): a report holds a few hundred
	// distinct pieces, and each flow points to several.
	evidence map[*report.Evidence][]byte
}

func newYAMLWriter(w io.Writer) *yamlWriter {
	return &yamlWriter{w: bufio.NewWriterSize(w, 1<<16), evidence: map[*report.Evidence][]byte{}}
}

func (yw *yamlWriter) flush() {
	if yw.err == nil && len(yw.b) > 0 {
		_, yw.err = yw.w.Write(yw.b)
	}
	yw.b = yw.b[:0]
}

func (yw *yamlWriter) finish() error {
	yw.flush()
	if yw.err != nil {
		return yw.err
	}
	return yw.w.Flush()
}

// side writes a comparison's report under key.
func (yw *yamlWriter) side(key string, r *report.Report, flows iter.Seq[*report.Flow]) {
	if r == nil {
		yw.encode(0, map[string]*report.Report{key: nil})
		return
	}
	yw.b = append(yw.b, key...)
	yw.b = append(yw.b, ":\n"...)
	yw.report(r, flows, 1)
}

// report writes a report's members at depth (0 for a document's own, 1
// under a comparison's key), its flows from flows, else its own.
func (yw *yamlWriter) report(r *report.Report, flows iter.Seq[*report.Flow], depth int) {
	yw.encode(depth, yamlHead{r.Schema, r.Captures, r.Inventory})
	indent := strings.Repeat("  ", depth)
	n := 0
	for f := range flowsOf(r, flows) {
		if yw.err != nil {
			return
		}
		if n == 0 {
			yw.key(indent, "flows")
		}
		n++
		yw.item(depth, "flows", f, func(b []byte, first, inner string) ([]byte, bool) {
			return appendYAMLFlow(b, f, first, inner, yw.evidence)
		})
	}
	if n == 0 {
		yw.empty(indent, "flows")
	}
	if len(r.Summary) == 0 {
		yw.empty(indent, "summary")
	} else {
		yw.key(indent, "summary")
		for i := range r.Summary {
			row := &r.Summary[i]
			yw.item(depth, "summary", row, func(b []byte, first, inner string) ([]byte, bool) { return appendYAMLRow(b, row, first, inner) })
		}
	}
	yw.encode(depth, yamlTail{r.Warnings, r.Mesh, r.Node, r.Nodes})
}

// changes writes a comparison's list of changes under key.
func (yw *yamlWriter) changes(key string, changes []report.Change) {
	if len(changes) == 0 {
		yw.empty("", key)
		return
	}
	yw.key("", key)
	for i := range changes {
		ch := &changes[i]
		yw.item(0, key, ch, func(b []byte, first, inner string) ([]byte, bool) { return appendYAMLChange(b, ch, first, inner) })
	}
}

// key starts a member whose value is a sequence.
func (yw *yamlWriter) key(indent, name string) {
	yw.b = append(yw.b, indent...)
	yw.b = append(yw.b, name...)
	yw.b = append(yw.b, ":\n"...)
}

// empty writes a member whose value is an empty sequence.
func (yw *yamlWriter) empty(indent, name string) {
	yw.b = append(yw.b, indent...)
	yw.b = append(yw.b, name...)
	yw.b = append(yw.b, ": []\n"...)
}

// item writes one item of the sequence under key at depth with appendItem,
// else, when appendItem leaves it to the encoder, with the encoder.
func (yw *yamlWriter) item(depth int, key string, v any, appendItem func(b []byte, first, inner string) ([]byte, bool)) {
	indent := strings.Repeat("  ", depth+1)
	mark := len(yw.b)
	b, ok := appendItem(yw.b, indent+"- ", indent+"  ")
	yw.b = b
	if !ok {
		yw.b = yw.b[:mark]
		yw.encodeItem(depth, key, v)
	}
	if len(yw.b) > 32<<10 {
		yw.flush()
	}
}

// encode writes v, a struct whose members are written as a mapping, at
// depth: the encoder writes it under depth keys, which are then cut off.
func (yw *yamlWriter) encode(depth int, v any) {
	for range depth {
		v = map[string]any{"x": v}
	}
	yw.encoded(depth, v)
}

// encodeItem writes v as the encoder writes it as an item of the sequence
// under key at depth.
func (yw *yamlWriter) encodeItem(depth int, key string, v any) {
	var doc any = map[string][]any{key: {v}}
	for range depth {
		doc = map[string]any{"x": doc}
	}
	yw.encoded(depth+1, doc)
}

// encoded writes the encoder's text of doc less its first lines lines.
func (yw *yamlWriter) encoded(lines int, doc any) {
	if yw.err != nil {
		return
	}
	var buf bytes.Buffer
	if yw.err = writeYAML(&buf, doc); yw.err != nil {
		return
	}
	out := buf.Bytes()
	for range lines {
		out = out[bytes.IndexByte(out, '\n')+1:]
	}
	yw.b = append(yw.b, out...)
}

// yamlMembers writes the members of one mapping that is a sequence's item:
// the first on the item's "- " line, the others under it.
type yamlMembers struct {
	b            []byte
	first, inner string
	n            int
	ok           bool
}

// key starts a member whose value is a scalar.
func (m *yamlMembers) key(name string) {
	m.name(name)
	m.b = append(m.b, ": "...)
}

// name starts a member: its indentation and name.
func (m *yamlMembers) name(name string) {
	if m.n == 0 {
		m.b = append(m.b, m.first...)
	} else {
		m.b = append(m.b, m.inner...)
	}
	m.n++
	m.b = append(m.b, name...)
}

func (m *yamlMembers) str(name, s string) {
	m.key(name)
	m.scalar(s)
	m.b = append(m.b, '\n')
}

func (m *yamlMembers) scalar(s string) {
	var ok bool
	if m.b, ok = appendYAMLString(m.b, s); !ok {
		m.ok = false
	}
}

func (m *yamlMembers) strOmit(name, s string) {
	if s != "" {
		m.str(name, s)
	}
}

// text writes a value as the encoder writes a TextMarshaler.
func (m *yamlMembers) text(name string, v interface{ MarshalText() ([]byte, error) }) {
	t, err := v.MarshalText()
	if err != nil {
		m.ok = false // the encoder returns the error
		return
	}
	m.str(name, string(t))
}

func (m *yamlMembers) ref(name string, r interface {
	IsZero() bool
	String() string
}) {
	if !r.IsZero() {
		m.str(name, r.String())
	}
}

// addr writes an address as its MarshalText spells it.
func (m *yamlMembers) addr(name string, ap netip.AddrPort) {
	if ap.Addr().Is4() {
		// A.B.C.D:PORT is always plain: it reads back as no number, time
		// or base 60 float, and holds no indicator.
		m.key(name)
		m.b, _ = ap.AppendText(m.b)
		m.b = append(m.b, '\n')
		return
	}
	s := ""
	if ap.IsValid() {
		s = ap.String()
	}
	m.str(name, s)
}

func (m *yamlMembers) num(name string, n int64) {
	m.key(name)
	m.b = strconv.AppendInt(m.b, n, 10)
	m.b = append(m.b, '\n')
}

// time writes a time as the encoder does: RFC 3339 with nanoseconds,
// always plain.
func (m *yamlMembers) time(name string, t time.Time) {
	m.key(name)
	m.b = t.AppendFormat(m.b, time.RFC3339Nano)
	m.b = append(m.b, '\n')
}

// list writes n strings as a block sequence under name, or [] for none.
func (m *yamlMembers) list(name string, n int, at func(int) string) {
	m.name(name)
	if n == 0 {
		m.b = append(m.b, ": []\n"...)
		return
	}
	m.b = append(m.b, ":\n"...)
	for i := range n {
		m.b = append(m.b, m.inner...)
		m.b = append(m.b, "  - "...)
		m.scalar(at(i))
		m.b = append(m.b, '\n')
	}
}

// evidence writes a flow's evidence, each piece spelled once for all flows.
func (m *yamlMembers) evidence(list []*report.Evidence, cache map[*report.Evidence][]byte) {
	m.name("evidence")
	if len(list) == 0 {
		m.b = append(m.b, ": []\n"...)
		return
	}
	m.b = append(m.b, ":\n"...)
	for _, e := range list {
		m.b = append(m.b, m.inner...)
		m.b = append(m.b, "  - "...)
		text, ok := cache[e]
		if !ok {
			if text, ok = appendYAMLString(nil, e.String()); !ok {
				text = nil
			}
			cache[e] = text
		}
		if text == nil {
			m.ok = false
		}
		m.b = append(m.b, text...)
		m.b = append(m.b, '\n')
	}
}

func (m *yamlMembers) end() ([]byte, bool) {
	if m.n == 0 {
		// No member: the encoder writes {}; never the case for the
		// types written here, whose first member has no omitempty.
		m.ok = false
	}
	return m.b, m.ok
}

// appendYAMLFlow writes f as the encoder writes a report.Flow that is a
// sequence's item: first starts its first line ("  - "), inner the others.
// It reports false, having written part of it, when a string in it must go
// through the encoder.
//
// evidence caches each piece of evidence's spelling.
func appendYAMLFlow(b []byte, f *report.Flow, first, inner string, evidence map[*report.Evidence][]byte) ([]byte, bool) {
	m := yamlMembers{b: b, first: first, inner: inner, ok: true}
	m.text("proto", f.Proto)
	m.addr("client", f.Client)
	m.addr("server", f.Server)
	m.ref("client_pod", f.ClientPod)
	m.ref("server_pod", f.ServerPod)
	m.ref("service", f.Service)
	if f.ServicePort != 0 {
		m.num("service_port", int64(f.ServicePort))
	}
	m.text("verdict", f.Verdict)
	m.evidence(f.Evidence, evidence)
	m.strOmit("sni", f.SNI)
	if len(f.ALPN) > 0 {
		m.list("alpn", len(f.ALPN), func(i int) string { return f.ALPN[i] })
	}
	m.strOmit("http_host", f.HTTPHost)
	m.strOmit("http_request", f.HTTPRequest)
	if f.NATTo.IsValid() {
		m.addr("nat_to", f.NATTo.AddrPort)
	}
	m.ref("nat_to_pod", f.NATToPod)
	if !f.Role.IsZero() {
		m.text("role", f.Role)
	}
	if !f.Intercepted.IsZero() {
		m.key("intercepted")
		m.b = strconv.AppendBool(m.b, f.Intercepted == report.Intercepted)
		m.b = append(m.b, '\n')
	}
	if f.Upstream.IsValid() {
		m.addr("upstream", f.Upstream.AddrPort)
	}
	m.ref("upstream_pod", f.UpstreamPod)
	if len(f.Interfaces) > 0 {
		m.str("interface", f.Interfaces.String())
	}
	if !f.Handshake.IsZero() {
		m.text("handshake", f.Handshake)
	}
	m.text("client_from", f.ClientFrom)
	m.num("packets", f.Packets)
	m.num("bytes", f.Bytes)
	if f.Duplicates != 0 {
		m.num("duplicates", f.Duplicates)
	}
	m.time("first", f.First)
	m.time("last", f.Last)
	if !f.Expected.IsZero() {
		m.text("expected", f.Expected)
	}
	m.strOmit("expected_why", f.ExpectedWhy)
	if len(f.Nodes) > 0 {
		m.list("nodes", len(f.Nodes), func(i int) string { return f.Nodes[i] })
	}
	return m.end()
}

// appendYAMLRow writes a summary row as appendYAMLFlow writes a flow.
func appendYAMLRow(b []byte, row *report.SummaryRow, first, inner string) ([]byte, bool) {
	m := yamlMembers{b: b, first: first, inner: inner, ok: true}
	m.text("client", row.Client)
	m.text("destination", row.Destination)
	m.text("verdict", row.Verdict)
	if !row.Role.IsZero() {
		m.text("role", row.Role)
	}
	if !row.Intercepted.IsZero() {
		m.key("intercepted")
		m.b = strconv.AppendBool(m.b, row.Intercepted == report.Intercepted)
		m.b = append(m.b, '\n')
	}
	m.num("flows", int64(row.Flows))
	if row.Ambiguous != 0 {
		m.num("ambiguous", int64(row.Ambiguous))
	}
	m.num("packets", row.Packets)
	m.num("bytes", row.Bytes)
	m.name("servers")
	if len(row.Servers) == 0 {
		m.b = append(m.b, ": []\n"...)
	} else {
		m.b = append(m.b, ":\n"...)
		for i := range row.Servers {
			s := &row.Servers[i]
			sm := yamlMembers{b: m.b, first: m.inner + "  - ", inner: m.inner + "    ", ok: true}
			sm.addr("addr", s.Addr)
			sm.ref("pod", s.Pod)
			if s.Via.IsValid() {
				sm.addr("via", s.Via.AddrPort)
			}
			m.b = sm.b
			m.ok = m.ok && sm.ok
		}
	}
	if !row.Expected.IsZero() {
		m.text("expected", row.Expected)
	}
	m.strOmit("expected_why", row.ExpectedWhy)
	if len(row.Nodes) > 0 {
		m.list("nodes", len(row.Nodes), func(i int) string { return row.Nodes[i] })
	}
	return m.end()
}

// appendYAMLChange writes a comparison's change as appendYAMLFlow writes a
// flow.
func appendYAMLChange(b []byte, ch *report.Change, first, inner string) ([]byte, bool) {
	m := yamlMembers{b: b, first: first, inner: inner, ok: true}
	m.text("client", ch.Client)
	m.text("destination", ch.Destination)
	m.text("before", ch.Before)
	m.text("after", ch.After)
	m.str("meaning", ch.Meaning)
	return m.end()
}
