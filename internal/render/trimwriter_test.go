package render

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// writeInPieces writes s to w cut at every step bytes, through Write,
// WriteString and WriteByte in turn, as the table writers mix them.
func writeInPieces(w interface {
	Write([]byte) (int, error)
	WriteString(string) (int, error)
	WriteByte(byte) error
}, s string, step int) {
	for i := 0; len(s) > 0; i++ {
		k := min(step, len(s))
		switch i % 3 {
		case 0:
			w.Write([]byte(s[:k]))
		case 1:
			w.WriteString(s[:k])
		default:
			k = 1
			w.WriteByte(s[0])
		}
		s = s[k:]
	}
}

// checkTrimWriter holds trimWriter to trimLines, the whole-output trim it
// replaces, for every way of cutting the input into writes.
func checkTrimWriter(t *testing.T, in string) {
	t.Helper()
	want := string(trimLines([]byte(in)))
	for step := 1; step <= len(in)+1; step++ {
		var out bytes.Buffer
		tw := &trimWriter{w: bufio.NewWriter(&out)}
		writeInPieces(tw, in, step)
		assert.NoError(t, tw.Flush())
		if !assert.Equal(t, want, out.String(), "%q written %d bytes at a time", in, step) {
			return
		}
	}
}

func TestTrimWriter(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",                  // only spaces: nothing
		"a  \nb",               // trailing spaces before a newline
		"a  b  \n",             // inner spaces kept
		"  a\n  \n\n b   c   ", // leading spaces kept, blank lines emptied, no final newline
		"\n\n",
		"x \t \n", // a tab is not a space: what follows it is trimmed, not the tab
		strings.Repeat("cell   ", 50) + "\n" + strings.Repeat(" ", 5000) + "z\n",
	} {
		checkTrimWriter(t, in)
	}
}

func FuzzTrimWriter(f *testing.F) {
	f.Add("a  \nb")               // trailing spaces before a newline
	f.Add("  a\n  \n\n b   c   ") // leading, blank and unterminated lines
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 512 {
			return // every cut of the input is tried: keep it short
		}
		checkTrimWriter(t, in)
	})
}

// TestChunkBuffer: what is written comes out whole and in order, across
// chunk boundaries, through each write method.
func TestChunkBuffer(t *testing.T) {
	in := strings.Repeat("0123456789abcdef", chunkSize/16*2+7) + "end"
	for _, step := range []int{1, 7, chunkSize - 1, chunkSize, chunkSize + 3, len(in)} {
		var c chunkBuffer
		writeInPieces(&c, in, step)
		var out bytes.Buffer
		c.writeTo(&out)
		assert.Equal(t, in, out.String(), "written %d bytes at a time", step)
		for _, ch := range c.chunks {
			assert.LessOrEqual(t, len(ch), chunkSize)
		}
	}
}
