package render

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// hostile is a report whose packet-derived strings try to attack whoever
// displays them: terminal escape sequences, markup, and invalid UTF-8.
func hostile() *report.Report {
	evil := "\x1b]0;pwned\x07\x1b[2J<script>alert(1)</script>|*x*\xff"
	first := time.Date(2025, 3, 14, 15, 10, 6, 0, time.UTC)
	f := report.Flow{
		Proto: tcp, Client: ap("10.244.2.34:42122"), Server: ap("10.96.209.151:9080"), Verdict: report.Passthrough,
		Evidence: evidence("evidence " + evil), SNI: evil, ALPN: []string{evil}, HTTPHost: evil, HTTPRequest: "GET /" + evil,
		Service: ref("bookinfo/" + evil), Packets: 1, Bytes: 60, First: first, Last: first,
	}
	return &report.Report{
		Schema:   report.SchemaAnalyze,
		Captures: []report.Capture{{File: "x" + evil + ".pcap", Format: "pcap", LinkTypes: []string{"EN10MB"}, Complete: true}},
		Flows:    []report.Flow{f},
		Summary: []report.SummaryRow{{Client: label("10.244.2.34"), Destination: report.Label{Ref: f.Service}, Verdict: report.Passthrough, Flows: 1,
			Servers: []report.Server{{Addr: f.Server, Pod: ref("ns/" + evil)}}}},
		Warnings: []string{"warning " + evil},
	}
}

func render(t *testing.T, f Format, r *report.Report) string {
	t.Helper()
	rd, err := New(f, WithFlows(true))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rd.Analysis(&b, r, nil))
	c := report.Compare(r, &report.Report{Schema: report.SchemaAnalyze})
	require.NoError(t, rd.Comparison(&b, c, nil, nil))
	return b.String()
}

func TestUntrustedStrings(t *testing.T) {
	r := hostile()
	t.Run("table", func(t *testing.T) {
		out := render(t, Table, r)
		assert.NotContains(t, out, "\x1b", "no escape character reaches the terminal")
		assert.NotContains(t, out, "\x07")
		assert.Contains(t, out, `\x1b]0;pwned\x07`, "it is spelled out instead")
		assert.True(t, strings.ToValidUTF8(out, "?") == out, "valid UTF-8")
	})
	t.Run("markdown", func(t *testing.T) {
		out := render(t, Markdown, r)
		assert.NotContains(t, out, "\x1b")
		assert.NotContains(t, out, "<script>")
		assert.Contains(t, out, "&lt;script&gt;")
		assert.Contains(t, out, `\|\*x\*`, "table and emphasis syntax is escaped")
	})
	t.Run("json", func(t *testing.T) {
		out := render(t, JSON, r)
		assert.NotContains(t, out, "\x1b")
		assert.NotContains(t, out, "<script>")
		dec := json.NewDecoder(strings.NewReader(out))
		var doc map[string]any
		require.NoError(t, dec.Decode(&doc))
		flows := doc["flows"].([]any)
		assert.Contains(t, flows[0].(map[string]any)["sni"], "\x1b]0;pwned", "the data survives the encoding")
	})
	t.Run("yaml", func(t *testing.T) {
		assert.NotContains(t, render(t, YAML, r), "\x1b")
		var b bytes.Buffer
		rd, err := New(YAML)
		require.NoError(t, err)
		require.NoError(t, rd.Analysis(&b, r, nil))
		out := b.String()
		var doc map[string]any
		require.NoError(t, yaml.NewDecoder(strings.NewReader(out)).Decode(&doc))
	})
}

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text stays", "reviews.bookinfo.svc.cluster.local", "reviews.bookinfo.svc.cluster.local"},
		{"CSI sequence", "\x1b[2Jx", `\x1b[2Jx`},
		{"OSC title", "\x1b]0;t\x07", `\x1b]0;t\x07`},
		{"C1 control", "a\u009bb", `a\x9bb`},
		{"newline in a value", "a\nb", `a\x0ab`},
		{"bidi override", "a\u202eb", `a\u202eb`},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"unicode letters stay", "réseau", "réseau"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Clean(tt.in))
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, name := range FormatNames() {
		f, err := ParseFormat(name)
		require.NoError(t, err)
		assert.Equal(t, name, f.String())
	}
	f, err := ParseFormat("md")
	require.NoError(t, err)
	assert.Equal(t, Markdown, f)
	_, err = ParseFormat("xml")
	assert.EqualError(t, err, `unknown output format "xml", want one of table, json, yaml, markdown, html`)
	_, err = New(Format(0))
	assert.Error(t, err)
}

// TestJSONStreamMatchesEncoder: the streaming writer, which writes a
// flow's fields itself, prints byte for byte what encoding/json's indented
// encoder prints of the same report types (then C1-escaped): every field
// of a flow set (hostileMesh: NAT, interfaces, SNI, ALPN, HTTP), and none.
func TestJSONStreamMatchesEncoder(t *testing.T) {
	r := hostile()
	mesh := hostileMesh()
	for i := range mesh.Flows {
		f := &mesh.Flows[i]
		f.Handshake, f.Duplicates, f.ServicePort = report.HandshakeComplete, 3, 9080
		f.Expected, f.ExpectedWhy = report.ExpectPassthrough, "why "+scriptTag
	}
	// full sets every field of a flow and a summary row (TestFullMeshSetsEveryField).
	full := fullMesh()
	empty := &report.Report{Schema: report.SchemaAnalyze}
	bare := &report.Report{Schema: report.SchemaAnalyze, Flows: []report.Flow{{Proto: tcp, Client: ap("10.0.0.1:1"), Server: ap("10.0.0.2:2"), Verdict: report.Unknown}}}
	rd, err := New(JSON)
	require.NoError(t, err)
	for name, tt := range map[string]struct {
		v     any
		write func(*bytes.Buffer) error
	}{
		"report":     {r, func(b *bytes.Buffer) error { return rd.Analysis(b, r, nil) }},
		"mesh":       {mesh, func(b *bytes.Buffer) error { return rd.Analysis(b, mesh, nil) }},
		"full":       {full, func(b *bytes.Buffer) error { return rd.Analysis(b, full, nil) }},
		"bare":       {bare, func(b *bytes.Buffer) error { return rd.Analysis(b, bare, nil) }},
		"empty":      {empty, func(b *bytes.Buffer) error { return rd.Analysis(b, empty, nil) }},
		"comparison": {report.Compare(r, mesh), func(b *bytes.Buffer) error { return rd.Comparison(b, report.Compare(r, mesh), nil, nil) }},
		"streamed": {r, func(b *bytes.Buffer) error {
			header := *r
			header.Flows = nil
			return rd.Analysis(b, &header, r.All())
		}},
	} {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(tt.v))
			var got bytes.Buffer
			require.NoError(t, tt.write(&got))
			assert.Equal(t, string(escapeC1(want.Bytes())), got.String())
		})
	}
}

// TestJSONReadsBack: a report written as JSON decodes into the report types
// and is written again byte for byte: the seed's comparison (the golden file
// of compare -o json on the node-wide capture).
func TestJSONReadsBack(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "bookinfo", "golden", "compare-any.json"))
	require.NoError(t, err)
	var c report.Comparison
	require.NoError(t, json.Unmarshal(raw, &c))
	rd, err := New(JSON)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rd.Comparison(&b, &c, nil, nil))
	assert.Equal(t, string(raw), b.String())
}

// TestJSONSummaryMatchesEncoder: the summary rows appendJSONSummaryRow
// writes are byte for byte what encoding/json writes of them (the
// oracle), for every field set and none, hostile strings in labels and
// pods, an IPv6 zone that needs escaping, and an empty and a nil list;
// a row with an invalid verdict fails as the encoder fails.
func TestJSONSummaryMatchesEncoder(t *testing.T) {
	evil := "\x1b]0;pwned\x07<script>&</script>\u0085\u202e\xff"
	zoned := netip.MustParseAddrPort(`[fe80::1%eth"<0>]:80`)
	full := report.SummaryRow{
		Client: report.Label{Ref: ref("ns/" + evil)}, Destination: report.Label{Addr: ap("10.96.0.10:53"), WithPort: true},
		Verdict: report.SidecarDNAT, Role: report.RoleSidecarUpstream, Intercepted: report.Intercepted,
		Flows: 7, Ambiguous: 2, Packets: 1 << 40, Bytes: -1,
		Servers: []report.Server{
			{Addr: ap("10.244.1.5:9080"), Pod: ref("bookinfo/" + evil), Via: report.Endpoint{AddrPort: ap("10.96.1.1:9080")}},
			{Addr: ap("[fd00::5]:443")},
			{Addr: zoned, Via: report.Endpoint{AddrPort: zoned}},
			{},
		},
		Expected: report.PathSet(0).Add(report.ExpectPassthrough).Add(report.ExpectSidecarDNAT), ExpectedWhy: "why " + evil,
		Nodes: []string{"node-a", evil},
	}
	tests := []struct {
		name    string
		rows    []report.SummaryRow
		wantErr bool
	}{
		{name: "nil", rows: nil},
		{name: "empty", rows: []report.SummaryRow{}},
		{name: "every field", rows: []report.SummaryRow{full}},
		{name: "bare rows", rows: []report.SummaryRow{
			{Client: label("10.0.0.1"), Verdict: report.Unknown},
			{Client: label("10.0.0.1"), Verdict: report.External, Servers: []report.Server{}, Intercepted: report.NotIntercepted},
		}},
		{name: "invalid verdict", rows: []report.SummaryRow{full, {}}, wantErr: true},
	}
	rd, err := New(JSON)
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &report.Report{Schema: report.SchemaAnalyze, Summary: tc.rows}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			wantErr := enc.Encode(r)
			var got bytes.Buffer
			gotErr := rd.Analysis(&got, r, nil)
			if tc.wantErr {
				require.Error(t, wantErr)
				assert.EqualError(t, gotErr, wantErr.Error())
				return
			}
			require.NoError(t, wantErr)
			require.NoError(t, gotErr)
			assert.Equal(t, string(escapeC1(want.Bytes())), got.String())
		})
	}
}

// TestJSONPlainString: the 8-bytes-at-a-time check agrees with the table
// of plain bytes (the oracle) for every byte value at every position of
// strings of 1 to 17 bytes, and on a plain string with two bad bytes.
func TestJSONPlainString(t *testing.T) {
	for n := 1; n <= 17; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				if got, want := jsonPlainString(string(b)), jsonPlain[c]; got != want {
					t.Fatalf("jsonPlainString(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
	assert.True(t, jsonPlainString(""))
	assert.False(t, jsonPlainString("0123456\x7f\xff23456789"))
	assert.True(t, jsonPlainString("~~~~~~~~ ~~~~~~~~~ !#$%'()*+,-./09:;=?@AZ[]^_`az{|}~"))
}
