package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// jsonRenderer writes the documented JSON schema, indented by two spaces,
// byte for byte what encoding/json's indented encoder writes for the
// report types (TestJSONStreamMatchesEncoder holds it to that). It
// streams: the flows are written one at a time as the sequence yields them
// (a result's are made as they are read), so a report of a million flows
// is never one document in memory. The flows, the part written a million
// times, and the summary rows, thousands, are written field by field
// (appendFlow, appendJSONSummaryRow); every other part goes through
// encoding/json. escapeC1 then escapes the C1 controls encoding/json leaves
// raw, so untrusted strings come out as data whatever displays them.
type jsonRenderer struct{}

func (jsonRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	jw := newJSONWriter(w)
	jw.report(r, flows, "")
	return jw.finish()
}

func (jsonRenderer) Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error {
	jw := newJSONWriter(w)
	o := jw.object("")
	o.value("schema", c.Schema)
	o.key("before")
	jw.report(c.Before, before, o.inner)
	o.key("after")
	jw.report(c.After, after, o.inner)
	o.value("changes", c.Changes)
	o.value("unchanged", c.Unchanged)
	o.close()
	return jw.finish()
}

// writeDocument writes a small document (a scope, a check) with
// encoding/json, indented by two spaces, its C1 controls escaped.
func writeDocument(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeC1(buf.Bytes()))
	return err
}

// jsonWriter writes into a scratch buffer that is handed to the writer
// every few kilobytes; the first error stops it.
type jsonWriter struct {
	w   *bufio.Writer
	b   []byte
	err error
	// plain remembers which pieces of evidence need no escaping: the
	// flows share a few thousand, and their text is most of each flow's.
	plain map[*report.Evidence]bool
}

func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 1<<16), plain: map[*report.Evidence]bool{}}
}

func (jw *jsonWriter) flush() {
	if jw.err == nil && len(jw.b) > 0 {
		_, jw.err = jw.w.Write(escapeC1(jw.b))
	}
	jw.b = jw.b[:0]
}

func (jw *jsonWriter) finish() error {
	jw.b = append(jw.b, '\n')
	jw.flush()
	if jw.err != nil {
		return jw.err
	}
	return jw.w.Flush()
}

// report writes a report at indent, its flows from flows, else its own
// (null when it has none, as encoding/json writes a nil slice).
func (jw *jsonWriter) report(r *report.Report, flows iter.Seq[*report.Flow], indent string) {
	o := jw.object(indent)
	o.value("schema", r.Schema)
	o.value("captures", r.Captures)
	o.value("inventory", r.Inventory)
	o.key("flows")
	if flows == nil && r.Flows == nil {
		jw.b = append(jw.b, "null"...)
	} else {
		jw.flows(flowsOf(r, flows), o.inner)
	}
	o.key("summary")
	jw.summary(r.Summary, o)
	o.value("warnings", r.Warnings)
	if r.Mesh != nil {
		o.value("mesh", r.Mesh)
	}
	if r.Node != "" {
		o.value("node", r.Node)
	}
	if len(r.Nodes) > 0 {
		o.value("nodes", r.Nodes)
	}
	o.close()
}

// flows writes a JSON array of flows at indent, as encoding/json would.
func (jw *jsonWriter) flows(flows iter.Seq[*report.Flow], indent string) {
	inner := indent + "  "
	n := 0
	for f := range flows {
		if jw.err != nil {
			return
		}
		if n == 0 {
			jw.b = append(jw.b, "[\n"...)
		} else {
			jw.b = append(jw.b, ",\n"...)
		}
		n++
		jw.b = append(jw.b, inner...)
		jw.b = appendFlow(jw.b, f, inner, jw.plain)
		if len(jw.b) > 32<<10 {
			jw.flush()
		}
	}
	if n == 0 {
		jw.b = append(jw.b, "[]"...)
		return
	}
	jw.b = append(jw.b, '\n')
	jw.b = append(jw.b, indent...)
	jw.b = append(jw.b, ']')
}

// summary writes the summary rows as the value of o's member just
// started, as encoding/json would: by appendSummaryRow, and through
// encoding/json itself when a row holds a verdict it cannot marshal, so
// that the error is the encoder's. Thousands of rows went through its
// reflection and indenting at twice the cost of the flows' JSON.
func (jw *jsonWriter) summary(rows []report.SummaryRow, o *jsonObject) {
	for i := range rows {
		if _, err := rows[i].Verdict.MarshalText(); err != nil {
			o.encode(rows)
			return
		}
	}
	if rows == nil {
		jw.b = append(jw.b, "null"...)
		return
	}
	if len(rows) == 0 {
		jw.b = append(jw.b, "[]"...)
		return
	}
	inner := o.inner + "  "
	jw.b = append(jw.b, "[\n"...)
	for i := range rows {
		if i > 0 {
			jw.b = append(jw.b, ",\n"...)
		}
		jw.b = append(jw.b, inner...)
		jw.b = appendJSONSummaryRow(jw.b, &rows[i], inner)
		if len(jw.b) > 32<<10 {
			jw.flush()
		}
	}
	jw.b = append(jw.b, '\n')
	jw.b = append(jw.b, o.inner...)
	jw.b = append(jw.b, ']')
}

// appendJSONSummaryRow writes row as encoding/json writes a
// report.SummaryRow at indent.
func appendJSONSummaryRow(b []byte, row *report.SummaryRow, indent string) []byte {
	m := flowMembers{b: b, inner: indent + "  "}
	m.str("client", row.Client.String())
	m.str("destination", row.Destination.String())
	m.str("verdict", row.Verdict.String())
	if !row.Role.IsZero() {
		m.str("role", row.Role.String())
	}
	if !row.Intercepted.IsZero() {
		m.key("intercepted")
		m.b = strconv.AppendBool(m.b, row.Intercepted == report.Intercepted)
	}
	m.num("flows", int64(row.Flows))
	if row.Ambiguous != 0 {
		m.num("ambiguous", int64(row.Ambiguous))
	}
	m.num("packets", row.Packets)
	m.num("bytes", row.Bytes)
	m.key("servers")
	switch {
	case row.Servers == nil:
		m.b = append(m.b, "null"...)
	case len(row.Servers) == 0:
		m.b = append(m.b, "[]"...)
	default:
		inner := m.inner + "  "
		m.b = append(m.b, "[\n"...)
		for i := range row.Servers {
			if i > 0 {
				m.b = append(m.b, ",\n"...)
			}
			m.b = append(m.b, inner...)
			m.b = appendJSONServer(m.b, &row.Servers[i], inner)
		}
		m.b = append(m.b, '\n')
		m.b = append(m.b, m.inner...)
		m.b = append(m.b, ']')
	}
	if !row.Expected.IsZero() {
		m.str("expected", row.Expected.String())
	}
	m.strOmit("expected_why", row.ExpectedWhy)
	if len(row.Nodes) > 0 {
		m.key("nodes")
		m.b = appendStrings(m.b, len(row.Nodes), func(i int) string { return row.Nodes[i] }, m.inner)
	}
	m.b = append(m.b, '\n')
	m.b = append(m.b, indent...)
	return append(m.b, '}')
}

// appendJSONServer writes s as encoding/json writes a report.Server at
// indent.
func appendJSONServer(b []byte, s *report.Server, indent string) []byte {
	m := flowMembers{b: b, inner: indent + "  "}
	m.addr("addr", s.Addr)
	m.ref("pod", s.Pod)
	if !s.Via.IsZero() {
		m.addr("via", s.Via.AddrPort)
	}
	m.b = append(m.b, '\n')
	m.b = append(m.b, indent...)
	return append(m.b, '}')
}

// appendAddrPort writes ap as a JSON string without making its text
// first; through appendString when a byte needs escaping (an IPv6 zone
// can hold any).
func appendAddrPort(b []byte, ap netip.AddrPort) []byte {
	start := len(b)
	b = append(b, '"')
	b = ap.AppendTo(b)
	for _, c := range b[start+1:] {
		if !jsonPlain[c] {
			return appendString(b[:start], ap.String())
		}
	}
	return append(b, '"')
}

// jsonObject writes the members of one object, each on its own line.
type jsonObject struct {
	jw            *jsonWriter
	indent, inner string
	n             int
}

func (jw *jsonWriter) object(indent string) *jsonObject {
	return &jsonObject{jw: jw, indent: indent, inner: indent + "  "}
}

// key starts a member.
func (o *jsonObject) key(name string) {
	if o.n == 0 {
		o.jw.b = append(o.jw.b, "{\n"...)
	} else {
		o.jw.b = append(o.jw.b, ",\n"...)
	}
	o.n++
	o.jw.b = append(o.jw.b, o.inner...)
	o.jw.b = appendString(o.jw.b, name)
	o.jw.b = append(o.jw.b, ": "...)
}

// value writes a member whose value encoding/json writes.
func (o *jsonObject) value(name string, v any) {
	o.key(name)
	o.encode(v)
}

// encode writes the value of the member just started.
func (o *jsonObject) encode(v any) {
	if o.jw.err != nil {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(o.inner, "  ")
	if err := enc.Encode(v); err != nil {
		o.jw.err = err
		return
	}
	o.jw.b = append(o.jw.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	if len(o.jw.b) > 32<<10 {
		o.jw.flush()
	}
}

func (o *jsonObject) close() {
	if o.n == 0 {
		o.jw.b = append(o.jw.b, "{}"...)
		return
	}
	o.jw.b = append(o.jw.b, '\n')
	o.jw.b = append(o.jw.b, o.indent...)
	o.jw.b = append(o.jw.b, '}')
}

// appendFlow writes f as encoding/json writes a report.Flow at indent:
// its fields in order, the omitempty and omitzero ones left out when
// empty.
func appendFlow(b []byte, f *report.Flow, indent string, plain map[*report.Evidence]bool) []byte {
	m := flowMembers{b: b, inner: indent + "  "}
	m.str("proto", f.Proto.String())
	m.addr("client", f.Client)
	m.addr("server", f.Server)
	m.ref("client_pod", f.ClientPod)
	m.ref("server_pod", f.ServerPod)
	m.ref("service", f.Service)
	if f.ServicePort != 0 {
		m.num("service_port", int64(f.ServicePort))
	}
	m.str("verdict", f.Verdict.String())
	m.key("evidence")
	if f.Evidence == nil {
		m.b = append(m.b, "null"...)
	} else {
		m.b = appendEvidence(m.b, f.Evidence, m.inner, plain)
	}
	m.strOmit("sni", f.SNI)
	if len(f.ALPN) > 0 {
		m.key("alpn")
		m.b = appendStrings(m.b, len(f.ALPN), func(i int) string { return f.ALPN[i] }, m.inner)
	}
	m.strOmit("http_host", f.HTTPHost)
	m.strOmit("http_request", f.HTTPRequest)
	if f.NATTo.IsValid() {
		m.addr("nat_to", f.NATTo.AddrPort)
	}
	m.ref("nat_to_pod", f.NATToPod)
	if !f.Role.IsZero() {
		m.str("role", f.Role.String())
	}
	if !f.Intercepted.IsZero() {
		m.key("intercepted")
		m.b = strconv.AppendBool(m.b, f.Intercepted == report.Intercepted)
	}
	if f.Upstream.IsValid() {
		m.addr("upstream", f.Upstream.AddrPort)
	}
	m.ref("upstream_pod", f.UpstreamPod)
	if len(f.Interfaces) > 0 {
		m.str("interface", f.Interfaces.String())
	}
	if !f.Handshake.IsZero() {
		m.str("handshake", f.Handshake.String())
	}
	m.str("client_from", f.ClientFrom.String())
	m.num("packets", f.Packets)
	m.num("bytes", f.Bytes)
	if f.Duplicates != 0 {
		m.num("duplicates", f.Duplicates)
	}
	m.time("first", f.First)
	m.time("last", f.Last)
	if !f.Expected.IsZero() {
		m.str("expected", f.Expected.String())
	}
	m.strOmit("expected_why", f.ExpectedWhy)
	if len(f.Nodes) > 0 {
		m.key("nodes")
		m.b = appendStrings(m.b, len(f.Nodes), func(i int) string { return f.Nodes[i] }, m.inner)
	}
	m.b = append(m.b, '\n')
	m.b = append(m.b, indent...)
	return append(m.b, '}')
}

// flowMembers writes the members of a flow object.
type flowMembers struct {
	b     []byte
	inner string
	n     int
}

func (m *flowMembers) key(name string) {
	if m.n == 0 {
		m.b = append(m.b, "{\n"...)
	} else {
		m.b = append(m.b, ",\n"...)
	}
	m.n++
	m.b = append(m.b, m.inner...)
	m.b = append(m.b, '"')
	m.b = append(m.b, name...)
	m.b = append(m.b, `": `...)
}

func (m *flowMembers) str(name, s string) {
	m.key(name)
	m.b = appendString(m.b, s)
}

func (m *flowMembers) strOmit(name, s string) {
	if s != "" {
		m.str(name, s)
	}
}

// ref writes a member holding r's text unless r is zero, without making
// the text.
func (m *flowMembers) ref(name string, r inventory.Ref) {
	if r.IsZero() {
		return
	}
	m.key(name)
	if r.Namespace == "" || !jsonPlainString(r.Namespace) || !jsonPlainString(r.Name) {
		m.b = appendString(m.b, r.String())
		return
	}
	m.b = append(m.b, '"')
	m.b = append(m.b, r.Namespace...)
	m.b = append(m.b, '/')
	m.b = append(m.b, r.Name...)
	m.b = append(m.b, '"')
}

// addr writes a member holding ap's text.
func (m *flowMembers) addr(name string, ap netip.AddrPort) {
	m.key(name)
	m.b = appendAddrPort(m.b, ap)
}

func (m *flowMembers) num(name string, n int64) {
	m.key(name)
	m.b = strconv.AppendInt(m.b, n, 10)
}

func (m *flowMembers) time(name string, t time.Time) {
	m.key(name)
	m.b = append(m.b, '"')
	m.b = t.AppendFormat(m.b, time.RFC3339Nano)
	m.b = append(m.b, '"')
}

// appendEvidence writes evidence as appendStrings would, looking at the
// text of each piece once (plain remembers it).
func appendEvidence(b []byte, evidence []*report.Evidence, indent string, plain map[*report.Evidence]bool) []byte {
	if len(evidence) == 0 {
		return append(b, "[]"...)
	}
	b = append(b, "[\n"...)
	for i, e := range evidence {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, indent...)
		b = append(b, "  "...)
		text := e.String()
		p, ok := plain[e]
		if !ok {
			p = jsonPlainString(text)
			plain[e] = p
		}
		if p {
			b = append(b, '"')
			b = append(b, text...)
			b = append(b, '"')
		} else {
			b = appendString(b, text)
		}
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, ']')
}

// appendStrings writes n strings as an indented JSON array at indent.
func appendStrings(b []byte, n int, at func(int) string, indent string) []byte {
	if n == 0 {
		return append(b, "[]"...)
	}
	b = append(b, "[\n"...)
	for i := range n {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, indent...)
		b = append(b, "  "...)
		b = appendString(b, at(i))
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, ']')
}

// appendString writes a JSON string: directly when no byte of it needs
// escaping, else through encoding/json, which escapes C0 controls and
// markup and replaces invalid UTF-8.
func appendString(b []byte, s string) []byte {
	if !jsonPlainString(s) {
		quoted, _ := json.Marshal(s)
		return append(b, quoted...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlainString reports whether every byte of s is jsonPlain.
func jsonPlainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			return false
		}
	}
	return true
}

// jsonPlain holds the bytes encoding/json writes as they are: printable
// ASCII but the quote, the backslash and the markup characters it escapes.
var jsonPlain = func() (plain [256]bool) {
	for c := 0x20; c < 0x7F; c++ {
		plain[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return plain
}()

// escapeC1 rewrites the C1 control characters U+0080 to U+009F (UTF-8
// C2 80 to C2 9F) as \u00XX. Valid JSON holds them only inside strings,
// where the escape means the same character. A chunk never splits such a
// sequence: chunks end between values.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xC2}) {
		return b
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+64)
	for i := 0; i < len(b); i++ {
		if b[i] == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F {
			out = append(out, '\\', 'u', '0', '0', hex[b[i+1]>>4], hex[b[i+1]&0xF])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}
