package render

import (
	"bytes"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// writeColumns prints a kubectl-style table: no borders, columns
// left-aligned and three spaces apart, a cell's lines one under the other,
// the header (when there is one) printed as given. It prints what a
// tablewriter table configured by newTable prints (TestColumnsLikeTablewriter
// holds it to that), in one pass over the cells and a few allocations:
// tablewriter measures and formats every cell several times through a
// locked cache, which made a summary of thousands of rows cost more than
// the JSON of every flow (issue 15).
func writeColumns(b *bytes.Buffer, header []string, rows [][]string) {
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return
	}
	// Each cell's lines, trimmed as tablewriter trims them, all in one
	// slice; rows index it.
	var lines []string
	type span struct{ start, n int32 }
	cells := make([]span, 0, (len(rows)+1)*ncol)
	widths := make([]int, ncol)
	add := func(r []string) {
		for c := range ncol {
			s := ""
			if c < len(r) {
				s = strings.TrimSpace(r[c])
			}
			if strings.Contains(s, "\t") {
				s = strings.ReplaceAll(s, "\t", strings.Repeat(" ", twwidth.TabWidth()))
			}
			start := len(lines)
			for line := range strings.SplitSeq(s, "\n") {
				widths[c] = max(widths[c], cellWidth(line))
				lines = append(lines, line)
			}
			cells = append(cells, span{int32(start), int32(len(lines) - start)})
		}
	}
	if len(header) > 0 {
		add(header)
	}
	for _, r := range rows {
		add(r)
	}
	// A line is at most every column's width and three spaces: grow
	// once for them all (a row of several lines is the rare case).
	lineLen := 1
	for _, w := range widths {
		lineLen += w + 3
	}
	b.Grow(lineLen * len(cells) / ncol)
	for row := 0; row < len(cells); row += ncol {
		height := int32(1)
		for _, sp := range cells[row : row+ncol] {
			height = max(height, sp.n)
		}
		for k := range height {
			// A row's further lines are left out when every cell is blank
			// on them.
			if k > 0 && !slices.ContainsFunc(cells[row:row+ncol], func(sp span) bool {
				return k < sp.n && strings.TrimSpace(lines[sp.start+k]) != ""
			}) {
				continue
			}
			for c, sp := range cells[row : row+ncol] {
				text := ""
				if k < sp.n {
					text = lines[sp.start+k]
				}
				b.WriteString(text)
				pad(b, widths[c]-cellWidth(text)+3)
				if strings.IndexByte(text, '\x1b') >= 0 {
					// tablewriter ends a colored cell with a reset, after
					// its padding.
					b.WriteString(sgrReset)
				}
			}
			b.WriteByte('\n')
		}
	}
}

// cellWidth is the columns text takes on a terminal, as tablewriter counts
// them: printable ASCII one each, the rest by twwidth (escape sequences
// none, East Asian wide runes two).
func cellWidth(text string) int {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c >= 0x7f {
			return twwidth.Width(text)
		}
	}
	return len(text)
}

// sgrReset ends every color.
const sgrReset = "\x1b[0m"

const spaces = "                                                                "

// pad writes n spaces.
func pad(b *bytes.Buffer, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	if n > 0 {
		b.WriteString(spaces[:n])
	}
}
