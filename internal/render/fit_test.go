package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedAnalysis is `pcapcheck analyze after/any.pcap --inventory inventory`
// as cmd/pcapcheck's TestGolden pins it in JSON.
func seedAnalysis(t testing.TB) *report.Report {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "bookinfo", "golden", "analyze-after-any.json"))
	require.NoError(t, err)
	var r report.Report
	require.NoError(t, json.Unmarshal(raw, &r))
	return &r
}

// TestTerminalWidth renders the seed's comparison and analysis, with every
// flow, for terminals of 80 and 120 columns (what a tmux pane of that size
// gives, without tmux): no line is wider than the terminal, colored or
// not, and the pods' names are still there. The layouts are pinned in
// testdata/width/; -update rewrites them. Without a width the tables are
// as wide as their content, as before (--wide).
func TestTerminalWidth(t *testing.T) {
	cmp, an := seedComparison(t), seedAnalysis(t)
	docs := []struct {
		name   string
		render func(Renderer, *bytes.Buffer) error
	}{
		{"compare", func(r Renderer, b *bytes.Buffer) error {
			return r.Comparison(b, cmp, cmp.Before.All(), cmp.After.All())
		}},
		{"analyze", func(r Renderer, b *bytes.Buffer) error { return r.Analysis(b, an, an.All()) }},
	}
	for _, d := range docs {
		for _, width := range []int{80, 120} {
			for _, color := range []bool{false, true} {
				name := fmt.Sprintf("%s-%d", d.name, width)
				if color {
					name += "-color"
				}
				t.Run(name, func(t *testing.T) {
					r, err := New(Table, WithFlows(true), WithWidth(width), WithColor(color))
					require.NoError(t, err)
					var b bytes.Buffer
					require.NoError(t, d.render(r, &b))
					for i, line := range strings.Split(b.String(), "\n") {
						assert.LessOrEqual(t, visibleWidth(line), width, "line %d: %q", i+1, line)
					}
					for _, pod := range []string{"reviews-v1-5c4d6d447c-qwmbv", "reviews-v2-65cb66b45c-dtwjd", "reviews-v3-f68f94645-bmzrn"} {
						assert.Contains(t, b.String(), pod)
					}
					if !color {
						checkWidthGolden(t, name+".txt", b.Bytes())
					}
				})
			}
		}
	}
	t.Run("wide", func(t *testing.T) {
		r, err := New(Table)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Comparison(&b, cmp, nil, nil))
		assert.Contains(t, b.String(), "10.244.1.31:9080 reviews-v2-65cb66b45c-dtwjd", "pods beside their addresses, on one line")
		assert.Greater(t, widest(b.Bytes()), 120)
	})
}

func checkWidthGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "width", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s differs (-want +got); run go test -update and review the diff", path)
}

// TestShortenName: names are cut in the middle with a marker; addresses,
// numbers and colored words never are.
func TestShortenName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"reviews-v2-65cb66b45c-dtwjd", "reviews-v2…dtwjd"},
		{"bookinfo/reviews", "bookinfo/reviews"},
		{"fd00:10:244:2::22", "fd00:10:244:2::22"},
		{"[fd00:10:244:2::22]:33839", "[fd00:10:244:2::22]:33839"},
		{"2025-03-14", "2025-03-14"},
		{"\x1b[32msidecar-dnat-and-more\x1b[0m", "\x1b[32msidecar-dnat-and-more\x1b[0m"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shortenName(tt.in, 16), tt.in)
	}
}

// TestWrapProse: long prose lines wrap at spaces under their list marker.
func TestWrapProse(t *testing.T) {
	in := "- default/my-shell → bookinfo/reviews: sidecar-dnat → passthrough: the sidecar no longer knows it\nshort\n"
	want := "- default/my-shell → bookinfo/reviews:\n    sidecar-dnat → passthrough: the\n    sidecar no longer knows it\nshort\n"
	assert.Equal(t, want, string(wrapProse([]byte(in), 40)))
	assert.Equal(t, in, string(wrapProse([]byte(in), 0)))
}
