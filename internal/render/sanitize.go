package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes an untrusted string safe for a terminal: escape sequences
// (ESC and what follows it up to its final byte) and other control
// characters become a visible "\x.." form, and invalid UTF-8 becomes U+FFFD.
// A terminal that receives the result prints it and does nothing else.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Bidi_Control, r):
			b.WriteString(visible(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isClean(s string) bool {
	// Printable ASCII is clean; most strings are only that, and checking
	// bytes costs a fraction of decoding runes and looking them up.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7F {
		i++
	}
	if i == len(s) {
		return true
	}
	for _, r := range s[i:] {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' ||
			unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}

// visible spells a control character as Go would quote it.
func visible(r rune) string {
	const hex = "0123456789abcdef"
	if r < 0x100 {
		return `\x` + string(hex[r>>4]) + string(hex[r&0xF])
	}
	return `\u` + string(hex[r>>12&0xF]) + string(hex[r>>8&0xF]) + string(hex[r>>4&0xF]) + string(hex[r&0xF])
}

// cleanAll cleans each string of a list.
func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Clean(s)
	}
	return out
}
