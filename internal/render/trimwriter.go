package render

import (
	"bufio"
	"bytes"
	"strings"
)

// trimWriter writes what it is given without the spaces that end a line,
// as trimLines drops them, so that a table can be printed straight to its
// writer rather than gathered whole and trimmed. Spaces are held until
// the line goes on. Its methods never fail: Flush returns the writer's
// first error.
type trimWriter struct {
	w      *bufio.Writer
	spaces int // spaces held: maybe the end of the line
}

func (t *trimWriter) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.part(p)
			return n, nil
		}
		t.part(p[:i])
		t.w.WriteByte('\n')
		t.spaces = 0
		p = p[i+1:]
	}
}

func (t *trimWriter) WriteString(s string) (int, error) {
	n := len(s)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			t.partString(s)
			return n, nil
		}
		t.partString(s[:i])
		t.w.WriteByte('\n')
		t.spaces = 0
		s = s[i+1:]
	}
}

// part writes part of a line, holding its ending spaces.
func (t *trimWriter) part(p []byte) {
	kept := bytes.TrimRight(p, " ")
	if t.hold(len(p), len(kept)) {
		t.w.Write(kept)
	}
}

func (t *trimWriter) partString(s string) {
	kept := strings.TrimRight(s, " ")
	if t.hold(len(s), len(kept)) {
		t.w.WriteString(kept)
	}
}

// hold counts the spaces ending part of a line, n bytes long with kept
// before its spaces, and reports whether the kept bytes are to be
// written: the spaces held before them are, first.
func (t *trimWriter) hold(n, kept int) bool {
	if kept == 0 {
		t.spaces += n
		return false
	}
	pad(t.w, t.spaces)
	t.spaces = n - kept
	return true
}

func (t *trimWriter) WriteByte(c byte) error {
	switch c {
	case ' ':
		t.spaces++
	case '\n':
		t.spaces = 0
		return t.w.WriteByte('\n')
	default:
		pad(t.w, t.spaces)
		t.spaces = 0
		return t.w.WriteByte(c)
	}
	return nil
}

// Flush writes what is buffered; spaces held at the end are dropped.
func (t *trimWriter) Flush() error { return t.w.Flush() }

// chunkBuffer gathers text in chunks of a fixed size, for text held until
// a table before it is printed: growing one buffer to megabytes copies and
// clears it again and again, which cost --flows more than its tables.
type chunkBuffer struct{ chunks [][]byte }

const chunkSize = 64 << 10

// spare returns the last chunk, with room in it.
func (c *chunkBuffer) spare() []byte {
	if len(c.chunks) == 0 || len(c.chunks[len(c.chunks)-1]) == chunkSize {
		c.chunks = append(c.chunks, make([]byte, 0, chunkSize))
	}
	return c.chunks[len(c.chunks)-1]
}

func (c *chunkBuffer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		last := c.spare()
		k := min(chunkSize-len(last), len(p))
		c.chunks[len(c.chunks)-1] = append(last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

func (c *chunkBuffer) WriteString(s string) (int, error) {
	n := len(s)
	for len(s) > 0 {
		last := c.spare()
		k := min(chunkSize-len(last), len(s))
		c.chunks[len(c.chunks)-1] = append(last, s[:k]...)
		s = s[k:]
	}
	return n, nil
}

func (c *chunkBuffer) WriteByte(b byte) error {
	last := c.spare()
	c.chunks[len(c.chunks)-1] = append(last, b)
	return nil
}

// writeTo writes what was gathered.
func (c *chunkBuffer) writeTo(w textWriter) {
	for _, ch := range c.chunks {
		w.Write(ch)
	}
}
