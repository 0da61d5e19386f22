package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

func TestMermaidText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a pod name stays", "bookinfo/reviews-v1-5c4d6d447c-qwmbv", "bookinfo/reviews-v1-5c4d6d447c-qwmbv"},
		{"an address stays", "10.96.209.151:9080", "10.96.209.151:9080"},
		{"quote ends no label", `a"b`, "a#quot;b"},
		{"markup", "<script>alert(1)</script>", "#lt;script#gt;alert#40;1#41;#lt;/script#gt;"},
		{"attribute", `"><img src=x onerror=alert(1)>`, "#quot;#gt;#lt;img src=x onerror=alert#40;1#41;#gt;"},
		{"backticks would start a Markdown string or end the fence", "```", "#96;#96;#96;"},
		{"statement separator and comment", "a;b%%c", "a#59;b#37;#37;c"},
		{"entity syntax itself", "#quot;", "#35;quot#59;"},
		{"edge and shape syntax", "a-->|x|[b]{c}(d)", "a--#gt;#124;x#124;#91;b#93;#123;c#125;#40;d#41;"},
		{"newline is spelled out", "a\nb", "a#92;x0ab"},
		{"escape sequence is spelled out", "\x1b]0;t\x07", "#92;x1b#93;0#59;t#92;x07"},
		{"bidi override is spelled out", "a\u202eb", "a#92;u202eb"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"letters of other scripts stay", "réseau·東京", "réseau·東京"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mermaidText(tt.in))
		})
	}
}

// The lines a chart is made of; a label holds only safe characters,
// entities and pcapcheck's own line breaks.
const mmLabel = `(?:[A-Za-z0-9 .:/_,=@\-]|#(?:quot|lt|gt|amp|\d+);|<br/>|[^\x00-\x7f])*`

var mermaidLine = regexp.MustCompile(`^(?:` + strings.Join([]string{
	`flowchart LR`,
	`  subgraph c\d+\["` + mmLabel + `"\]`,
	`    direction LR`,
	`    c\d+n\d+(?:\["` + mmLabel + `"\]|\[\["` + mmLabel + `"\]\]|\(\["` + mmLabel + `"\]\)|\{\{"` + mmLabel + `"\}\}|\[/"` + mmLabel + `"/\]|\[\("` + mmLabel + `"\)\])`,
	`    c\d+n\d+ (?:-->|-\.->|==>)(?:\|"\d+ flows?, \d+ pkts?"\|)? c\d+n\d+`,
	`  end`,
	`  classDef k[a-z]+ [a-z-]+:[#0-9a-z. ]+(?:,[a-z-]+:[#0-9a-z. ]+)*`,
	`  class c\d+n\d+(?:,c\d+n\d+)* k[a-z]+`,
	`  linkStyle \d+ stroke:#(?:1a7f37|9a6700|bc4c00|57606a),stroke-width:3px`,
}, "|") + `)$`)

// mermaidBlocks returns the lines of each ```mermaid block.
func mermaidBlocks(t *testing.T, md string) [][]string {
	t.Helper()
	var blocks [][]string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		require.Equal(t, "```mermaid", lines[i], "the only fences are the charts'")
		var block []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			block = append(block, lines[i])
		}
		require.Less(t, i, len(lines), "the chart's fence is closed")
		blocks = append(blocks, block)
	}
	return blocks
}

func TestMarkdownMermaidUntrusted(t *testing.T) {
	r := hostileMesh()
	for _, tt := range []struct {
		name   string
		render func(Renderer, *bytes.Buffer) error
		charts int
	}{
		{"analyze", func(rd Renderer, b *bytes.Buffer) error { return rd.Analysis(b, r, nil) }, 1},
		{"compare", func(rd Renderer, b *bytes.Buffer) error {
			return rd.Comparison(b, report.Compare(&report.Report{Schema: report.SchemaAnalyze}, r), nil, nil)
		}, 1},
		{"compare both sides", func(rd Renderer, b *bytes.Buffer) error { return rd.Comparison(b, report.Compare(r, r), nil, nil) }, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := New(Markdown, WithFlows(true))
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, tt.render(rd, &b))
			out := b.String()
			assert.NotContains(t, out, "\x1b")
			assert.NotContains(t, out, "<script")
			assert.NotContains(t, out, "<img")
			blocks := mermaidBlocks(t, out)
			require.Len(t, blocks, tt.charts)
			for _, block := range blocks {
				for _, line := range block {
					assert.Regexp(t, mermaidLine, line)
				}
			}
			assert.Contains(t, out, `c1n0["my-shell#quot;#gt;#lt;img src=x onerror=alert#40;1#41;#gt;<br/>`, "the client's name is in the chart, escaped")
		})
	}
}

func TestMermaidLimits(t *testing.T) {
	rd, err := New(Markdown)
	require.NoError(t, err)
	for _, dests := range []int{1, 200} {
		var b bytes.Buffer
		require.NoError(t, rd.Analysis(&b, generated(dests, 30, 80), nil))
		blocks := mermaidBlocks(t, b.String())
		require.Len(t, blocks, 1)
		chart := strings.Join(blocks[0], "\n")
		edges := 0
		for _, line := range blocks[0] {
			assert.Regexp(t, mermaidLine, line)
			if strings.Contains(line, "-->") || strings.Contains(line, "-.->") || strings.Contains(line, "==>") {
				edges++
			}
		}
		assert.LessOrEqual(t, edges, mermaidMaxEdges, "GitHub draws at most 500 edges")
		assert.Less(t, len(chart), 50000, "GitHub draws at most 50,000 characters")
		if dests == 200 {
			assert.Contains(t, b.String(), "The chart leaves out")
		}
	}
}

// TestMermaidDirectionAndChanges: each subgraph says direction LR (Mermaid
// does not pass the chart's on to subgraphs), and the edges only one side
// of the seed's comparison has are drawn thick in their own color, as the
// HTML report draws them: the sidecar's picks before, kube-proxy's after.
func TestMermaidDirectionAndChanges(t *testing.T) {
	rd, err := New(Markdown)
	require.NoError(t, err)
	var b bytes.Buffer
	c := seedComparison(t)
	require.NoError(t, rd.Comparison(&b, c, nil, nil))
	blocks := mermaidBlocks(t, b.String())
	require.Len(t, blocks, 2)
	for _, block := range blocks {
		for i, line := range block {
			if strings.HasPrefix(line, "  subgraph ") {
				require.Less(t, i+1, len(block))
				assert.Equal(t, "    direction LR", block[i+1])
			}
		}
	}
	before, after := strings.Join(blocks[0], "\n"), strings.Join(blocks[1], "\n")
	assert.Contains(t, before, "stroke:#1a7f37,stroke-width:3px", "the sidecar's DNAT to the pods, only before")
	assert.Contains(t, after, "stroke:#bc4c00,stroke-width:3px", "kube-proxy's DNAT, only after")
	assert.Contains(t, after, "stroke:#9a6700,stroke-width:3px", "the passthrough to the ClusterIP, only after")
	assert.NotRegexp(t, `linkStyle \d+ stroke:#cf222e`, b.String(), "no edge in the red of the nodes only one side has")
}
