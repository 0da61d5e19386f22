package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// forbidden reports whether r must not reach a terminal: C0 and C1
// controls, DEL, the bidi embeddings, overrides and isolates, and the
// Unicode line and paragraph separators.
func forbidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7F, r >= 0x80 && r < 0xA0:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// checkClean holds Clean to its contract for one input: what comes out is
// valid UTF-8 with no forbidden rune, text with nothing to clean is
// returned as it was, and cleaning twice changes nothing more.
func checkClean(t *testing.T, in string) {
	t.Helper()
	out := Clean(in)
	if !utf8.ValidString(out) {
		t.Fatalf("Clean(%q) = %q: invalid UTF-8", in, out)
	}
	for i, r := range out {
		if forbidden(r) {
			t.Fatalf("Clean(%q) = %q: %U at byte %d", in, out, r, i)
		}
	}
	if utf8.ValidString(in) && !strings.ContainsFunc(in, forbidden) && !strings.ContainsFunc(in, isBidiMark) && out != in {
		t.Fatalf("Clean(%q) = %q: printable text changed", in, out)
	}
	if again := Clean(out); again != out {
		t.Fatalf("Clean(Clean(%q)) = %q, clean once = %q", in, again, out)
	}
}

// isBidiMark is what clean strips beyond forbidden: the other Bidi_Control
// characters (U+061C, U+200E, U+200F), which are invisible direction marks.
func isBidiMark(r rune) bool { return r == 0x061C || r == 0x200E || r == 0x200F }

// cleanEdges are inputs that probe the sanitizer, each named for its edge;
// FuzzClean starts from them and TestCleanContract runs them every time.
var cleanEdges = []struct{ name, in string }{
	{"plain service name", "reviews.bookinfo.svc.cluster.local"},
	{"CSI clear screen", "\x1b[2J"},
	{"OSC title ended by BEL", "\x1b]0;pwned\x07"},
	{"OSC 8 hyperlink ended by ST", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"},
	{"C1 CSI as a rune", "a\u009b31mb"},
	{"C1 CSI as a raw byte, invalid UTF-8", "a\x9b31mb"},
	{"NUL and DEL", "a\x00b\x7f"},
	{"tab, CR and LF", "a\tb\rc\nd"},
	{"right-to-left override", "evil\u202etxt.exe"},
	{"left-to-right embedding and pop", "\u202aab\u202c"},
	{"first strong isolate and pop isolate", "\u2068x\u2069"},
	{"Arabic letter mark and LRM/RLM", "\u061ca\u200eb\u200f"},
	{"line and paragraph separators", "a\u2028b\u2029c"},
	{"lone continuation byte", "a\x80b"},
	{"truncated three-byte sequence", "a\xe2\x80"},
	{"overlong slash", "\xc0\xaf"},
	{"UTF-16 surrogate in UTF-8", "\xed\xa0\x80"},
	{"code point past U+10FFFF", "\xf4\x90\x80\x80"},
	{"a literal U+FFFD is kept", "a\uFFFDb"},
	{"escaped form already in the text", `\x1b[2J \u202e`},
	{"letters, CJK, combining marks and an emoji sequence", "réseau 日本 e\u0301 👩\u200d💻"},
	{"zero-width space and BOM are not controls here", "a\u200bb\ufeffc"},
}

func TestCleanContract(t *testing.T) {
	for _, tt := range cleanEdges {
		t.Run(tt.name, func(t *testing.T) { checkClean(t, tt.in) })
	}
}

func FuzzClean(f *testing.F) {
	for _, tt := range cleanEdges {
		f.Add(tt.in)
	}
	f.Fuzz(checkClean)
}
