package inventory

import (
	"strconv"
	"strings"
	"unicode"
)

// A table is text that kubectl or istioctl aligned into columns with a
// tabwriter: a header of upper-case names, then one row per object. Both
// tools pad every column with at least three spaces, while a value holds at
// most single spaces ("1 (5h ago)", "Ubuntu 22.04.3 LTS"), so a run of two or
// more blanks (or a tab) separates cells and a single space does not.

// column is one column of a header.
type column struct {
	name  string
	start int // 0-based character offset of the name in the header line
}

// cell is one value of a row.
type cell struct {
	text  string
	start int // 0-based character offset in the row
	from  int // byte offset in the row
}

// word is a run of non-blank characters of a line.
type word struct {
	text     string
	start    int // 0-based character offset
	from, to int // byte offsets of text in the line
	// gap is the blank text before the word.
	gap string
}

// multiWordHeaders are the header names that hold a space. Header words
// separated by one space join only when they form one of these, so that a
// header whose padding was squeezed to single spaces still splits right.
var multiWordHeaders = map[string]bool{
	"NOMINATED NODE":  true,
	"READINESS GATES": true,
	"OUTLIER CHECK":   true,
	"LAST SEEN":       true,
	"NODE SELECTOR":   true,
	"LAST SCHEDULE":   true,
}

// spacedColumns are the columns whose values may hold single spaces.
var spacedColumns = map[string]bool{
	"RESTARTS":  true, // "1 (5h ago)"
	"OS-IMAGE":  true, // "Debian GNU/Linux 12 (bookworm)"
	"ENDPOINTS": true, // "10.244.1.31:9080 + 1 more..."
	"PORTS":     true, // EndpointSlice "80,443,8080 + 2 more..."
	"AGE":       true, // never spaced, but harmless
}

// words splits line at blanks. Texts are slices of line, so that joining
// words back is slicing, not copying.
func words(line string) []word {
	var out []word
	var w word
	inWord, gapFrom, pos := false, 0, 0
	for i, r := range line {
		blank := r == ' ' || r == '\t'
		switch {
		case !blank && !inWord:
			w = word{start: pos, from: i, gap: line[gapFrom:i]}
			inWord = true
		case blank && inWord:
			w.to, w.text = i, line[w.from:i]
			out = append(out, w)
			inWord, gapFrom = false, i
		}
		pos++
	}
	if inWord {
		w.to, w.text = len(line), line[w.from:]
		out = append(out, w)
	}
	return out
}

// parseHeader reads line as a table header: upper-case column names. It
// returns nil when the line is not one.
func parseHeader(line string) []column {
	ws := words(line)
	if len(ws) < 2 {
		return nil
	}
	var cols []column
	for _, w := range ws {
		if !isHeaderWord(w.text) {
			return nil
		}
		if n := len(cols); n > 0 && w.gap == " " && multiWordHeaders[cols[n-1].name+" "+w.text] {
			cols[n-1].name += " " + w.text
			continue
		}
		cols = append(cols, column{name: w.text, start: w.start})
	}
	return cols
}

func isHeaderWord(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || strings.ContainsRune("()-_/.", r)):
		default:
			return false
		}
	}
	return true
}

// chunks groups the words of line into cells: words joined by a single space
// belong to one cell.
func chunks(line string) []cell {
	var out []cell
	for _, w := range words(line) {
		if n := len(out); n > 0 && w.gap == " " {
			out[n-1].text = line[out[n-1].from:w.to]
			continue
		}
		out = append(out, cell{text: w.text, start: w.start, from: w.from})
	}
	return out
}

// tokens splits line at every blank, then joins back the pieces of values
// known to hold spaces: "1 (5h ago)" and "a,b + 2 more...". It is the reading
// of a row whose padding was squeezed to single spaces.
func tokens(line string) []cell {
	var out []cell
	ws := words(line)
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		n := len(out)
		switch {
		case n > 0 && strings.HasPrefix(w.text, "("):
			// A parenthesized remark ends at the word that closes it.
			for !strings.HasSuffix(ws[i].text, ")") && i+1 < len(ws) {
				i++
			}
			out[n-1].text = line[out[n-1].from:ws[i].to]
		case n > 0 && w.text == "+" && i+2 < len(ws) && ws[i+2].text == "more...":
			i += 2
			out[n-1].text = line[out[n-1].from:ws[i].to]
		default:
			out = append(out, cell{text: w.text, start: w.start, from: w.from})
		}
	}
	return out
}

// rowError says why a row does not fit its header.
type rowError struct {
	col int // 0-based character offset of the offending text
	msg string
}

// splitRow assigns the cells of line to the columns of a header. A cell
// belongs to the column whose start is nearest, keeping the cells in order,
// so a row that kubectl aligned maps exactly and a row whose alignment was
// damaged (an edited value) still maps sensibly. When tabs separate the
// cells (tabbed header, or tabs in the row) positions mean nothing and the
// cells fill the columns in order. Columns missing at the end of a row come
// back empty.
func splitRow(cols []column, line string, tabbed bool) ([]cell, *rowError) {
	cs := chunks(line)
	if len(cs) > len(cols) {
		return nil, tooManyCells(cols, cs)
	}
	var cells []cell
	// The nearest-start assignment costs cells×columns; past a size no
	// kubectl table reaches, fill in order.
	const maxAssign = 1 << 16
	if tabbed || strings.ContainsRune(line, '\t') || len(cs)*len(cols) > maxAssign {
		cells = make([]cell, len(cols))
		copy(cells, cs)
		for i := len(cs); i < len(cols); i++ {
			cells[i].start = cols[i].start
		}
	} else {
		cells = assign(cols, cs)
	}
	for i, c := range cells {
		if spacedColumns[cols[i].name] || !strings.ContainsRune(c.text, ' ') {
			continue
		}
		// A blank inside a value that cannot hold one: the padding was
		// squeezed, so read the row word by word.
		ts := tokens(line)
		if len(ts) == len(cols) {
			return ts, nil
		}
		return nil, &rowError{col: c.start, msg: "expected one value under " + cols[i].name + ", found " + quote(c.text) +
			" (a row whose columns are not aligned with the header)"}
	}
	return cells, nil
}

func tooManyCells(cols []column, cs []cell) *rowError {
	starts := make(map[int]bool, len(cols))
	for _, c := range cols {
		starts[c.start] = true
	}
	bad := cs[len(cs)-1]
	for _, c := range cs {
		if !starts[c.start] {
			bad = c
			break
		}
	}
	where := "after " + cols[len(cols)-1].name
	for i := 0; i+1 < len(cols); i++ {
		if bad.start < cols[i+1].start {
			where = "between " + cols[i].name + " and " + cols[i+1].name
			break
		}
	}
	return &rowError{col: bad.start, msg: "unexpected " + quote(bad.text) + " " + where +
		": the row has " + strconv.Itoa(len(cs)) + " cells but the header has " + strconv.Itoa(len(cols)) + " columns"}
}

// assign maps the cells cs (no more than cols) to columns, in order,
// minimizing the total distance between each cell's start and its column's
// start. The result has one cell per column; unmatched columns are empty.
func assign(cols []column, cs []cell) []cell {
	n, m := len(cs), len(cols)
	out := make([]cell, m)
	for j := range out {
		out[j].start = cols[j].start
	}
	if n == m {
		copy(out, cs)
		return out
	}
	const inf = int(^uint(0) >> 2)
	// cost[i][j]: least cost of placing the first i cells in the first j columns.
	cost := make([][]int, n+1)
	for i := range cost {
		cost[i] = make([]int, m+1)
		for j := range cost[i] {
			if i > 0 {
				cost[i][j] = inf
			}
		}
	}
	for i := 1; i <= n; i++ {
		for j := i; j <= m; j++ {
			skip := cost[i][j-1]
			take := cost[i-1][j-1] + abs(cs[i-1].start-cols[j-1].start)
			cost[i][j] = min(skip, take)
		}
	}
	for i, j := n, m; i > 0; j-- {
		if cost[i][j] != cost[i][j-1] || j == i {
			out[j-1] = cs[i-1]
			i--
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// isBlank reports whether line holds only blanks.
func isBlank(line string) bool {
	return strings.TrimFunc(line, unicode.IsSpace) == ""
}
