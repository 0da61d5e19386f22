package render

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/stretchr/testify/assert"
)

// tablewriterColumns prints a table through tablewriter, configured as the
// tables were before writeColumns: the oracle writeColumns is held to.
func tablewriterColumns(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	tbl := newTable(&b, header...)
	for _, r := range rows {
		tbl.Append(r)
	}
	tbl.Render()
	return trimLines(b.Bytes())
}

// TestColumnsLikeTablewriter checks writeColumns against tablewriter (the
// independent oracle) on the cells reports hold: multi-line cells, empty
// cells and lines, colored verdicts, the ellipsis and arrow, East Asian
// wide runes, spaces at a line's ends, and a table without a header.
func TestColumnsLikeTablewriter(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		rows   [][]string
	}{
		{"header only", []string{"CLIENT", "VERDICT"}, nil},
		{"one row", []string{"CLIENT", "VERDICT"}, [][]string{{"default/productpage", "sidecar-dnat"}}},
		{"no header", nil, [][]string{{"POD", "default/reviews (10.244.1.5)"}, {"SIDECAR", "none"}}},
		{"multi-line cell", []string{"A", "SERVERS", "B"}, [][]string{
			{"x", "10.96.0.1:80 →\n10.244.1.31:9080 reviews-v2-5d8f…dtwjd\n10.244.2.7:9080 reviews-v1", "y"},
			{"longer client name", "-", "z"},
		}},
		{"split server lines", []string{"A", "SERVERS"}, [][]string{{"a", "10.244.1.31:9080\n  reviews-v2"}}},
		{"empty cells", []string{"A", "B", "C"}, [][]string{{"", "b", ""}, {"a", "", "c"}}},
		{"empty lines", []string{"A", "B"}, [][]string{{"a\n\nb", "c\n"}, {"\nd", "e"}}},
		{"spaces at ends", []string{"A", "B"}, [][]string{{"  a  ", " b"}, {"c ", "d"}}},
		{"colored", []string{"VERDICT", "FLOWS"}, [][]string{
			{"\x1b[32msidecar-dnat\x1b[0m", "3"}, {"\x1b[1;31mpassthrough\x1b[0m (1 ambiguous)", "12"},
		}},
		{"wide runes", []string{"HOST", "N"}, [][]string{{"例え.jp", "1"}, {"ascii.example", "2"}}},
		{"header wider than cells", []string{"DESTINATION", "X"}, [][]string{{"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeColumns(&b, tt.header, tt.rows)
			assert.Equal(t, string(tablewriterColumns(tt.header, tt.rows)), string(trimLines(b.Bytes())), "(-tablewriter +writeColumns)")
		})
	}
}

// TestColumnsLikeTablewriterRandom compares the two on random tables made
// of the pieces above.
func TestColumnsLikeTablewriterRandom(t *testing.T) {
	pieces := []string{"", "a", "reviews-v2-5d8f", "10.96.0.1:80 →", "…", "\n", " ", "\x1b[32m", "\x1b[0m", "例", "(differs)", "12345", "\t", "  "}
	rnd := rand.New(rand.NewPCG(1, 2))
	cell := func() string {
		var s strings.Builder
		for range rnd.IntN(5) {
			s.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		return s.String()
	}
	for i := range 1000 {
		ncol := 1 + rnd.IntN(5)
		var header []string
		if rnd.IntN(4) > 0 {
			for c := range ncol {
				header = append(header, "H"+strings.Repeat("X", c))
			}
		}
		rows := make([][]string, rnd.IntN(6))
		for r := range rows {
			rows[r] = make([]string, ncol)
			for c := range rows[r] {
				rows[r][c] = cell()
			}
		}
		var b bytes.Buffer
		writeColumns(&b, header, rows)
		if !assert.Equal(t, string(tablewriterColumns(header, rows)), string(trimLines(b.Bytes())), "table %d: %q %q", i, header, rows) {
			return
		}
	}
}

// newTable starts a tablewriter table as pcapcheck configured its tables
// before writeColumns: no borders, no separators, three spaces between
// columns, cells never wrapped.
func newTable(w io.Writer, header ...string) *tablewriter.Table {
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "   ", Overwrite: true}),
	)
	if len(header) == 0 {
		return tbl
	}
	headerCells := make([]any, len(header))
	for i, h := range header {
		headerCells[i] = h
	}
	tbl.Header(headerCells...)
	return tbl
}
