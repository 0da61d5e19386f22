package source

import (
	"fmt"
	"strconv"
	"unicode/utf16"
)

// jsonForYAML rewrites valid JSON into the YAML that yaml.v3 reads the same
// way, keeping every line where it was:
//
//   - a tab between tokens becomes a space (YAML forbids tabs in places
//     JSON allows them; in valid JSON a raw tab is never inside a string);
//   - the escape \/ becomes /, which yaml.v3 does not know;
//   - a UTF-16 surrogate pair \uD83D\uDE00 becomes \U0001F600, and a lone
//     surrogate the replacement character, since YAML escapes code points.
func jsonForYAML(data []byte) []byte {
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case !inString && c == '\t':
			out = append(out, ' ')
		case c == '"':
			inString = !inString
			out = append(out, c)
		case inString && c == '\\' && i+1 < len(data):
			n, esc := rewriteEscape(data[i:])
			out = append(out, esc...)
			i += n - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

// rewriteEscape reads the escape at the start of b and returns how many
// bytes it took and what to write instead.
func rewriteEscape(b []byte) (int, []byte) {
	switch b[1] {
	case '/':
		return 2, []byte{'/'}
	case 'u':
		r1, ok := hex4(b, 2)
		if !ok || !utf16.IsSurrogate(r1) {
			return 2, b[:2]
		}
		if r2, ok := hex4(b, 8); ok && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r := utf16.DecodeRune(r1, r2); r != '\uFFFD' {
				return 12, []byte(fmt.Sprintf(`\U%08X`, r))
			}
		}
		return 6, []byte(`\uFFFD`)
	}
	return 2, b[:2]
}

func hex4(b []byte, at int) (rune, bool) {
	if len(b) < at+4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(v), err == nil
}
