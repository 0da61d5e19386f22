package render

import (
	"bytes"
	"io"
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
	c := newColumns(ncol)
	if len(header) > 0 {
		c.row(header)
	}
	for _, r := range rows {
		c.row(r)
	}
	// A line is at most every column's width and three spaces: grow
	// once for them all (a row of several lines is the rare case).
	b.Grow(c.lineLen() * c.rows())
	c.writeTo(b)
}

// columns holds a table's cells, trimmed as tablewriter trims them, in one
// byte slice, and its columns' widths: what writeColumns prints, gathered
// a cell at a time so that a table of every flow holds a few bytes a cell
// rather than a string and a slice a row, and is written straight to its
// writer.
type columns struct {
	ncol   int
	text   []byte
	ends   []int32 // where each cell's text ends
	cellW  []int32 // each cell's width; -1 for a cell of several lines
	widths []int
}

func newColumns(ncol int) *columns {
	return &columns{ncol: ncol, widths: make([]int, ncol)}
}

// row adds a row; cells past the table's columns are left out, missing
// ones are blank.
func (c *columns) row(r []string) {
	for i := range c.ncol {
		s := ""
		if i < len(r) {
			s = r[i]
		}
		c.cell(s)
	}
}

// cell adds the next cell, left to right and row after row; it may hold
// several lines.
func (c *columns) cell(s string) {
	col := len(c.ends) % c.ncol
	s = strings.TrimSpace(s)
	if strings.Contains(s, "\t") {
		s = strings.ReplaceAll(s, "\t", strings.Repeat(" ", twwidth.TabWidth()))
	}
	c.text = append(c.text, s...)
	c.ends = append(c.ends, int32(len(c.text)))
	if strings.IndexByte(s, '\n') < 0 {
		w := cellWidth(s)
		c.widths[col] = max(c.widths[col], w)
		c.cellW = append(c.cellW, int32(w))
		return
	}
	for line := range strings.SplitSeq(s, "\n") {
		c.widths[col] = max(c.widths[col], cellWidth(line))
	}
	c.cellW = append(c.cellW, -1)
}

// rows counts the rows added, the header's among them.
func (c *columns) rows() int { return (len(c.ends) + c.ncol - 1) / c.ncol }

// lineLen is the length of the table's widest line.
func (c *columns) lineLen() int {
	n := 1
	for _, w := range c.widths {
		n += w + 3
	}
	return n
}

// textOf returns the i-th cell's text.
func (c *columns) textOf(i int) string {
	start := int32(0)
	if i > 0 {
		start = c.ends[i-1]
	}
	return string(c.text[start:c.ends[i]])
}

// textWriter is what a table is written to: a bytes.Buffer, a
// bufio.Writer.
type textWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// writeTo prints the table. A last row with cells missing is completed
// with blanks.
func (c *columns) writeTo(b textWriter) {
	for len(c.ends)%c.ncol != 0 {
		c.cell("")
	}
	for row := 0; row < len(c.ends); row += c.ncol {
		cellW := c.cellW[row : row+c.ncol]
		multi := false
		for _, w := range cellW {
			multi = multi || w < 0
		}
		if !multi {
			start := int32(0)
			if row > 0 {
				start = c.ends[row-1]
			}
			for col, end := range c.ends[row : row+c.ncol] {
				text := c.text[start:end]
				start = end
				b.Write(text)
				pad(b, c.widths[col]-int(cellW[col])+3)
				if bytes.IndexByte(text, '\x1b') >= 0 {
					// tablewriter ends a colored cell with a reset, after
					// its padding.
					b.WriteString(sgrReset)
				}
			}
			b.WriteByte('\n')
			continue
		}
		c.writeLines(b, row)
	}
}

// writeLines prints a row with a cell of several lines.
func (c *columns) writeLines(b textWriter, row int) {
	cells := make([][]string, c.ncol)
	height := 1
	for col := range cells {
		cells[col] = strings.Split(c.textOf(row+col), "\n")
		height = max(height, len(cells[col]))
	}
	for k := range height {
		// A row's further lines are left out when every cell is blank on
		// them.
		if k > 0 && !hasText(cells, k) {
			continue
		}
		for col, lines := range cells {
			text := ""
			if k < len(lines) {
				text = lines[k]
			}
			b.WriteString(text)
			pad(b, c.widths[col]-cellWidth(text)+3)
			if strings.IndexByte(text, '\x1b') >= 0 {
				b.WriteString(sgrReset)
			}
		}
		b.WriteByte('\n')
	}
}

// hasText reports whether some cell has text on its k-th line.
func hasText(cells [][]string, k int) bool {
	for _, lines := range cells {
		if k < len(lines) && strings.TrimSpace(lines[k]) != "" {
			return true
		}
	}
	return false
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
func pad(b io.StringWriter, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	if n > 0 {
		b.WriteString(spaces[:n])
	}
}
