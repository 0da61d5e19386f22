package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// hostile is a report whose packet-derived strings try to attack whoever
// displays them: terminal escape sequences, markup, and invalid UTF-8.
func hostile() *engine.Report {
	evil := "\x1b]0;pwned\x07\x1b[2J<script>alert(1)</script>|*x*\xff"
	first := time.Date(2025, 3, 14, 15, 10, 6, 0, time.UTC)
	f := engine.Flow{
		Proto: "tcp", Client: "10.244.2.34:42122", Server: "10.96.209.151:9080", Verdict: engine.Passthrough,
		Evidence: []string{"evidence " + evil}, SNI: evil, ALPN: []string{evil}, HTTPHost: evil, HTTPRequest: "GET /" + evil,
		Service: "bookinfo/" + evil, Packets: 1, Bytes: 60, First: first, Last: first,
	}
	return &engine.Report{
		Schema:   engine.SchemaAnalyze,
		Captures: []engine.Capture{{File: "x" + evil + ".pcap", Format: "pcap", LinkTypes: []string{"EN10MB"}, Complete: true}},
		Flows:    []engine.Flow{f},
		Summary: []engine.SummaryRow{{Client: "10.244.2.34", Destination: f.Service, Verdict: engine.Passthrough, Flows: 1,
			Servers: []engine.Server{{Addr: f.Server, Pod: "ns/" + evil}}}},
		Warnings: []string{"warning " + evil},
	}
}

func render(t *testing.T, f Format, r *engine.Report) string {
	t.Helper()
	rd, err := New(f, WithFlows(true))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rd.Analysis(&b, r))
	c := engine.Compare(r, &engine.Report{Schema: engine.SchemaAnalyze})
	require.NoError(t, rd.Comparison(&b, c))
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
		require.NoError(t, rd.Analysis(&b, r))
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
			assert.Equal(t, tt.want, clean(tt.in))
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
	assert.EqualError(t, err, `reports: unknown output format "xml", want one of table, json, yaml, markdown, html`)
	_, err = New(Format(0))
	assert.Error(t, err)
}

// TestJSONStreamMatchesEncoder: the streaming writer prints byte for byte
// what encoding/json's indented encoder prints (then C1-escaped).
func TestJSONStreamMatchesEncoder(t *testing.T) {
	r := hostile()
	empty := &engine.Report{Schema: engine.SchemaAnalyze}
	for name, v := range map[string]any{
		"report":     r,
		"empty":      empty,
		"comparison": engine.Compare(r, empty),
	} {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(v))
			var got bytes.Buffer
			require.NoError(t, writeJSON(&got, v))
			assert.Equal(t, string(escapeC1(want.Bytes())), got.String())
		})
	}
}
