package render

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Markup that would run if a renderer let it through as markup.
const (
	scriptTag = `<script>alert(1)</script>`
	imgOnerr  = `"><img src=x onerror=alert(1)>`
	titleEnd  = `</title><script>alert(2)</script>`
	termEvil  = "\x1b]0;pwned\x07\x1b[2J\xff"
)

// hostileMesh is a report of the seed's two paths in which every string a
// packet or an inventory supplies tries to inject markup: the SNI and the
// HTTP Host, pod, service and namespace names, files and warnings.
func hostileMesh() *report.Report {
	first := time.Date(2025, 3, 14, 15, 10, 6, 0, time.UTC)
	client := `default/my-shell` + imgOnerr
	pod := "bookinfo/reviews-" + scriptTag + termEvil
	svc := "bookinfo/" + titleEnd + imgOnerr
	dnat := report.Flow{Proto: tcp, Client: ap("10.244.2.34:44644"), Server: ap("10.244.2.32:9080"), ClientPod: ref(client), ServerPod: ref(pod),
		Service: ref(svc), Verdict: report.SidecarDNAT, Evidence: evidence("sni "+scriptTag, "host "+imgOnerr+termEvil),
		SNI: scriptTag, ALPN: []string{imgOnerr}, HTTPHost: imgOnerr, HTTPRequest: "GET /" + scriptTag, Interfaces: report.Interfaces{imgOnerr},
		Packets: 9, Bytes: 7324, First: first, Last: first, ClientFrom: report.BySyn}
	pass := dnat
	pass.Server, pass.ServerPod, pass.Verdict, pass.NATTo, pass.NATToPod = ap("10.96.209.151:9080"), ref(""), report.Passthrough, ep("10.244.2.31:9080"), ref(pod+"-2")
	ext := dnat
	ext.Server, ext.ServerPod, ext.Service, ext.Verdict, ext.SNI = ap("203.0.113.9:443"), ref(""), ref(""), report.External, scriptTag+imgOnerr
	return &report.Report{
		Schema: report.SchemaAnalyze,
		Captures: []report.Capture{{File: "x" + imgOnerr + ".pcap", Format: "pcap", LinkTypes: []string{"EN10MB"}, Interfaces: []string{scriptTag},
			Skipped: map[string]int{scriptTag: 1}, Complete: true}},
		Inventory: report.InventoryFacts{Files: []string{imgOnerr}, Registries: []string{scriptTag}},
		Flows:     []report.Flow{dnat, pass, ext},
		Summary: []report.SummaryRow{
			{Client: label(client), Destination: label(svc), Verdict: report.SidecarDNAT, Flows: 1, Packets: 9, Servers: []report.Server{{Addr: dnat.Server, Pod: ref(pod)}}},
			{Client: label(client), Destination: label(svc), Verdict: report.Passthrough, Flows: 1, Packets: 9, Servers: []report.Server{{Addr: pass.NATTo.AddrPort, Pod: pass.NATToPod}}},
			{Client: label(client), Destination: report.Label{Addr: ext.Server, WithPort: true}, Verdict: report.External, Flows: 1, Packets: 9, Servers: []report.Server{{Addr: ext.Server}}},
		},
		Warnings: []string{"warning " + scriptTag + imgOnerr + termEvil},
	}
}

// tag is a start tag of an HTML document.
type tag struct {
	name  string
	attrs []string
}

// startTags lists the start tags of an HTML document, reading it as a
// browser's tokenizer would for the markup pcapcheck writes: quoted and
// unquoted attribute values, comments, and the raw text of <style>.
func startTags(t *testing.T, doc string) []tag {
	t.Helper()
	var tags []tag
	for i := 0; i < len(doc); {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			break
		}
		i += lt + 1
		switch {
		case strings.HasPrefix(doc[i:], "!--"):
			end := strings.Index(doc[i:], "-->")
			require.GreaterOrEqual(t, end, 0, "unterminated comment")
			i += end + 3
			continue
		case strings.HasPrefix(doc[i:], "!"), strings.HasPrefix(doc[i:], "/"):
			i += strings.IndexByte(doc[i:], '>') + 1
			continue
		}
		j := i
		for j < len(doc) && (isAlnum(doc[j]) || doc[j] == '-') {
			j++
		}
		if j == i {
			continue // a '<' that starts no tag is text
		}
		tg := tag{name: strings.ToLower(doc[i:j])}
		for j < len(doc) && doc[j] != '>' {
			for j < len(doc) && strings.IndexByte(" \t\n\r\f/", doc[j]) >= 0 {
				j++
			}
			k := j
			for k < len(doc) && strings.IndexByte(" \t\n\r\f/>=", doc[k]) < 0 {
				k++
			}
			if k > j {
				tg.attrs = append(tg.attrs, strings.ToLower(doc[j:k]))
			}
			j = k
			if j < len(doc) && doc[j] == '=' {
				j++
				if j < len(doc) && (doc[j] == '"' || doc[j] == '\'') {
					q := doc[j]
					end := strings.IndexByte(doc[j+1:], q)
					require.GreaterOrEqual(t, end, 0, "unterminated attribute value")
					j += end + 2
				} else {
					for j < len(doc) && strings.IndexByte(" \t\n\r\f>", doc[j]) < 0 {
						j++
					}
				}
			}
		}
		i = j
		tags = append(tags, tg)
		if tg.name == "style" || tg.name == "script" || tg.name == "title" && !inSVG(tags) {
			end := strings.Index(strings.ToLower(doc[i:]), "</"+tg.name)
			require.GreaterOrEqual(t, end, 0, "unterminated <%s>", tg.name)
			i += end
		}
	}
	return tags
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// inSVG reports whether the last <svg> seen is still open; good enough for
// pcapcheck's pages, whose only <title> outside SVG is the document's.
func inSVG(tags []tag) bool {
	return slices.ContainsFunc(tags[:len(tags)-1], func(t tag) bool { return t.name == "svg" })
}

// The markup pcapcheck writes: anything else in a page came from data.
var (
	htmlTags = []string{"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "strong", "code",
		"section", "ul", "li", "span", "div", "figure", "figcaption", "svg", "g", "rect", "text", "path", "polygon",
		"table", "thead", "tbody", "tr", "th", "td", "br", "dl", "dt", "dd", "details", "summary"}
	htmlAttrs = []string{"lang", "charset", "name", "content", "http-equiv", "id", "class", "data-client", "data-side",
		"width", "height", "viewbox", "role", "aria-label", "data-destination", "data-verdict", "data-change", "x", "y",
		"text-anchor", "data-from", "data-to", "d", "points", "data-node", "data-kind", "data-addr", "transform", "rx", "colspan"}
)

func TestHTMLUntrusted(t *testing.T) {
	r := hostileMesh()
	var b bytes.Buffer
	rd, err := New(HTML)
	require.NoError(t, err)
	require.NoError(t, rd.Analysis(&b, r, nil))
	require.NoError(t, rd.Comparison(&b, report.Compare(&report.Report{Schema: report.SchemaAnalyze}, r), nil, nil))
	out := b.String()

	for _, tg := range startTags(t, out) {
		assert.Contains(t, htmlTags, tg.name, "only pcapcheck's own elements")
		for _, a := range tg.attrs {
			assert.Contains(t, htmlAttrs, a, "only pcapcheck's own attributes, in <%s>", tg.name)
		}
	}
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "<img", "onerror=alert(1)>", "</title><script", "\x1b", "\x07", "\xff"} {
		assert.NotContains(t, lower, bad)
	}
	// The strings are there, as text.
	text := html.UnescapeString(out)
	for _, s := range []string{scriptTag, imgOnerr, titleEnd, `\x1b]0;pwned\x07\x1b[2J`} {
		assert.Contains(t, text, s)
	}
	assert.Contains(t, out, `data-node="default/my-shell&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`, "attribute values are quoted and escaped")
}

func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	rd, err := New(HTML)
	require.NoError(t, err)
	require.NoError(t, rd.Comparison(&b, report.Compare(generated(6, 3, 0), generated(12, 2, 0)), nil, nil))
	out := b.String()
	for _, ref := range []string{"http:", "https:", "//", "src=", "href=", "url(", "@import", "<link", "<script", "<img", "<iframe", "<object"} {
		assert.NotContains(t, strings.ReplaceAll(out, "</", ""), ref, "a request or a script")
	}
	assert.Contains(t, out, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`)
}

func TestHTMLCompareMarksChanges(t *testing.T) {
	r := hostileMesh()
	before := &report.Report{Schema: report.SchemaAnalyze, Flows: r.Flows[:1], Summary: r.Summary[:1]}
	after := &report.Report{Schema: report.SchemaAnalyze, Flows: r.Flows[1:2], Summary: []report.SummaryRow{r.Summary[1]}}
	var b bytes.Buffer
	rd, err := New(HTML)
	require.NoError(t, err)
	require.NoError(t, rd.Comparison(&b, report.Compare(before, after), nil, nil))
	out := b.String()
	assert.Equal(t, 2, strings.Count(out, `data-change="sidecar-dnat → passthrough"`), "the changed lane on both sides")
	assert.Regexp(t, regexp.MustCompile(`<g class="node k-clusterip added" data-node="10.96.209.151"`), out)
	assert.Regexp(t, regexp.MustCompile(`<g class="node k-kube-proxy added"`), out)
	assert.Regexp(t, regexp.MustCompile(`<g class="edge e-dnat removed"`), out)
	meaning := strings.Index(out, `<li>default/my-shell&#34;&gt;&lt;img`)
	diagrams := strings.Index(out, `<div class="sides">`)
	assert.True(t, meaning > 0 && meaning < diagrams, "the change's meaning comes above its diagrams")
}
