package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// TestHelpFits80: every command's --help fits an 80-column terminal (its
// width when stdout is not a terminal), so that no word is broken by the
// terminal's own wrapping.
func TestHelpFits80(t *testing.T) {
	for _, cmd := range []string{"", "analyze", "compare", "live", "scope", "suggest", "check"} {
		t.Run("help "+cmd, func(t *testing.T) {
			args := strings.Fields(cmd + " --help")
			code, stdout, stderr := runIn(t, ".", "", args...)
			assert.Equal(t, 0, code, stderr)
			for _, line := range strings.Split(stdout, "\n") {
				assert.LessOrEqual(t, utf8.RuneCountInString(line), 80, "%q", line)
			}
		})
	}
}

func TestWrapParagraphs(t *testing.T) {
	in := "one two three four\nfive six\n\n  kept as it is, however long it goes on\nseven"
	want := "one two\nthree four\nfive six\n\n  kept as it is, however long it goes on\nseven"
	assert.Equal(t, want, wrapParagraphs(in, 10))
}
