package render

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A table printed on a terminal fits its width (WithWidth): first as it is;
// then with long names shortened in the middle, "reviews-v2…dtwjd", the
// ellipsis marking the cut (addresses, verdicts and numbers are never cut);
// then, when even that is too wide, stacked: one block per row, a line per
// column. Prose lines (changes, evidence, warnings) wrap at spaces with a
// hanging indent. Without a width (--wide, or output that is not a
// terminal) tables are as wide as their content.

// shortenLimits are the longest a name may stay, tried in turn.
var shortenLimits = []int{40, 32, 24, 20, 16}

// shortenable are the columns whose names may be shortened.
var shortenable = map[string]bool{
	"CLIENT": true, "DESTINATION": true, "SERVERS": true, "SERVERS BEFORE": true, "SERVERS AFTER": true,
	"CAPTURE": true, "SERVER": true, "SERVICE": true, "NAT TO": true,
}

// grid is a table gathered whole before it is printed, so that it can be
// fitted to the width.
type grid struct {
	b      *bytes.Buffer
	header []string
	rows   [][]string
	width  int
}

func (t tableRenderer) newGrid(b *bytes.Buffer, header ...string) *grid {
	return &grid{b: b, header: header, width: t.o.width}
}

// Append adds a row; a cell may hold several lines.
func (g *grid) Append(cells ...string) { g.rows = append(g.rows, cells) }

// Render prints the table, fitted to the width when there is one.
func (g *grid) Render() {
	out := renderGrid(g.header, g.rows)
	if g.width <= 0 || widest(out) <= g.width {
		g.b.Write(out)
		return
	}
	split := splitServers(g.header, g.rows)
	for _, limit := range append([]int{0}, shortenLimits...) {
		for _, rows := range [][][]string{g.rows, split} {
			if limit > 0 {
				rows = shortenRows(g.header, rows, limit)
			} else if &rows[0] == &g.rows[0] {
				continue // tried above
			}
			out = renderGrid(g.header, rows)
			if widest(out) <= g.width {
				g.b.Write(out)
				return
			}
		}
	}
	// Stacked, names are shortened only as much as the width needs.
	for i, limit := range append([]int{0}, shortenLimits...) {
		rows := g.rows
		if limit > 0 {
			rows = shortenRows(g.header, g.rows, limit)
		}
		out = g.stacked(rows)
		if widest(out) <= g.width || i == len(shortenLimits) {
			g.b.Write(out)
			return
		}
	}
}

func renderGrid(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	writeColumns(&b, header, rows)
	return trimLines(b.Bytes())
}

// stacked prints each row as a block: the first column's value after its
// name, then the other columns a line each, indented, their further lines
// aligned under the first.
func (g *grid) stacked(rows [][]string) []byte {
	var b bytes.Buffer
	pad := 0
	for _, h := range g.header[1:] {
		pad = max(pad, len(h))
	}
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(g.header[0] + " " + r[0] + "\n")
		for j, h := range g.header[1:] {
			if j+1 >= len(r) {
				break
			}
			for k, line := range strings.Split(r[j+1], "\n") {
				label := ""
				if k == 0 {
					label = h
				}
				b.WriteString(strings.TrimRight("  "+label+strings.Repeat(" ", pad-len(label))+"  "+line, " ") + "\n")
			}
		}
	}
	return b.Bytes()
}

// splitServers returns rows with each server's pod on a line of its own,
// under its address: a narrower SERVERS column with nothing cut.
func splitServers(header []string, rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
		for j, c := range r {
			if j < len(header) && strings.HasPrefix(header[j], "SERVERS") {
				lines := strings.Split(c, "\n")
				for k, l := range lines {
					// "10.244.1.31:9080 reviews-v2-...", not "10.96.0.1:80 →"
					if sp := strings.LastIndexByte(l, ' '); sp > 0 && l[sp+1:] != "→" {
						lines[k] = l[:sp] + "\n  " + l[sp+1:]
					}
				}
				out[i][j] = strings.Join(lines, "\n")
			}
		}
	}
	return out
}

// shortenRows returns rows with the names of shortenable columns cut to
// limit.
func shortenRows(header []string, rows [][]string, limit int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			if j < len(header) && shortenable[header[j]] {
				c = shortenCell(c, limit)
			}
			out[i][j] = c
		}
	}
	return out
}

func shortenCell(c string, limit int) string {
	lines := strings.Split(c, "\n")
	for i, l := range lines {
		words := strings.Split(l, " ")
		for k, w := range words {
			words[k] = shortenName(w, limit)
		}
		lines[i] = strings.Join(words, " ")
	}
	return strings.Join(lines, "\n")
}

// shortenName cuts a name longer than limit in the middle, keeping its
// start (the workload) and end (a pod's random suffix). Addresses, and
// words holding escape sequences or no letter, are kept whole.
func shortenName(w string, limit int) string {
	r := []rune(w)
	if len(r) <= limit || strings.ContainsAny(w, "\x1b:[") || !strings.ContainsFunc(w, unicode.IsLetter) {
		return w
	}
	if _, err := netip.ParseAddr(w); err == nil {
		return w
	}
	head := (limit - 1) * 2 / 3
	tail := limit - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// widest is the display width of b's longest line, escape sequences left
// out.
func widest(b []byte) int {
	n := 0
	for line := range bytes.Lines(b) {
		n = max(n, visibleWidth(string(bytes.TrimRight(line, "\n"))))
	}
	return n
}

// visibleWidth is the columns s takes on a terminal: its runes without the
// SGR sequences colors add. What reports print is ASCII but for "…" and
// "→", one column each; Clean has removed the rest of what could be wider.
func visibleWidth(s string) int {
	if strings.IndexByte(s, '\x1b') >= 0 {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\x1b' {
				if j := strings.IndexByte(s[i:], 'm'); j >= 0 {
					i += j
					continue
				}
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	return utf8.RuneCountInString(s)
}

// wrapProse wraps every line of b longer than width at spaces; the lines it
// adds are indented two columns past the line's own indent and list marker
// ("- "). Tables, already fitted, are left alone; so is a word longer than
// the width.
func wrapProse(b []byte, width int) []byte {
	if width <= 0 {
		return b
	}
	var out bytes.Buffer
	for line := range bytes.Lines(b) {
		s := strings.TrimRight(string(line), "\n")
		if visibleWidth(s) <= width {
			out.WriteString(s + "\n")
			continue
		}
		body := strings.TrimLeft(s, " ")
		indent := len(s) - len(body)
		hang := indent + 2
		if strings.HasPrefix(body, "- ") {
			hang = indent + 4
		}
		cur, curW := s[:indent], indent
		first := true
		for _, w := range strings.Split(body, " ") {
			ww := visibleWidth(w)
			switch {
			case first:
				cur, curW, first = cur+w, curW+ww, false
			case curW+1+ww > width:
				out.WriteString(cur + "\n")
				cur, curW = strings.Repeat(" ", hang)+w, hang+ww
			default:
				cur, curW = cur+" "+w, curW+1+ww
			}
		}
		out.WriteString(cur + "\n")
	}
	return out.Bytes()
}
