package render

import (
	"strconv"
	"strings"
	"time"
)

// appendYAMLString appends s as go.yaml.in/yaml/v3 writes a string in
// block context (a mapping's value, a sequence's item), and reports
// whether it could: only a string of printable ASCII (no tab, no line
// break) is written here, whose spelling does not depend on where it
// stands; anything else is left to the encoder itself (ok false).
//
// It follows the encoder's two decisions. encode.go's stringv quotes, in
// double quotes, a string that would read back as another type (a number,
// a bool, null, a timestamp, YAML 1.1's base 60 floats and y/n bools); the
// emitter's analyze_scalar then turns a plain string into a single-quoted
// one where plain text would not parse back in block context (a leading
// indicator, ": " or " #", leading or trailing spaces). The encoder's line
// width is unlimited, so nothing is folded. TestYAMLScalarMatchesEncoder
// holds it to the encoder over fuzzed strings.
func appendYAMLString(b []byte, s string) ([]byte, bool) {
	plain, ok := yamlBlockPlain(s)
	switch {
	case !ok:
		return b, false
	case !yamlReadsAsString(s):
		b = append(b, '"')
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return append(b, '"'), true
	case plain:
		return append(b, s...), true
	}
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, s[i])
	}
	return append(b, '\''), true
}

// yamlReadsAsString reports whether s, written plain, reads back as a
// string: yaml.v3's resolve gives !!str and it is neither a base 60 float
// nor a YAML 1.1 bool, which the encoder quotes "for compatibility".
func yamlReadsAsString(s string) bool {
	if s == "" {
		return false // null
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
		"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false
	}
	switch c := s[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		return !yamlNumberOrTime(s) && !yamlBase60(s)
	}
	return true
}

// yamlNumberOrTime is resolve's reading of a plain scalar that starts with
// a sign or a digit: a timestamp, an integer (underscores dropped; decimal,
// 0x, 0o, 0b or a leading-zero octal), or a float.
func yamlNumberOrTime(s string) bool {
	if yamlTimestamp(s) {
		return true
	}
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	if yamlFloatSyntax(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return true
		}
	}
	// Every integer resolve reads is letters, digits and a sign; strconv
	// is asked only then, as its errors allocate.
	for i := 0; i < len(plain); i++ {
		if c := plain[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '-') {
			return false
		}
	}
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	// resolve tries 0b, else -0b, then 0o, else -0o: a string has at most
	// one prefix of each pair, so trying all four is the same.
	for _, p := range []struct {
		prefix, sign string
		base         int
	}{{"0b", "", 2}, {"-0b", "-", 2}, {"0o", "", 8}, {"-0o", "-", 8}} {
		if digits, ok := strings.CutPrefix(plain, p.prefix); ok {
			if _, err := strconv.ParseInt(p.sign+digits, p.base, 64); err == nil {
				return true
			}
			if p.sign == "" {
				if _, err := strconv.ParseUint(digits, p.base, 64); err == nil {
					return true
				}
			}
		}
	}
	return false
}

// yamlTimestampFormats are resolve's timestamp layouts.
var yamlTimestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// yamlTimestamp is resolve's parseTimestamp: four digits and a hyphen,
// then one of its layouts.
func yamlTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range yamlTimestampFormats {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// yamlFloatSyntax matches resolve's float pattern,
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func yamlFloatSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// yamlBase60 matches the encoder's base 60 float pattern,
// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$.
func yamlBase60(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == len(s) || s[i] < '0' || s[i] > '9' {
		return false
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
		i++
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		// One digit, or two whose first is 0 to 5: a longer run cannot be
		// followed by what the pattern allows next.
		if n := i - j; n == 0 || n > 2 || n == 2 && s[j] > '5' {
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			i++
		}
	}
	return i == len(s)
}

// yamlBlockPlain is, for a string of printable ASCII (ok), the emitter's
// block_plain_allowed: no leading or trailing space, no "---" or "..."
// start, no indicator first, no ": " and no " #". An empty string is
// never written plain: it reads back as null.
func yamlBlockPlain(s string) (plain, ok bool) {
	n := len(s)
	if n == 0 {
		return false, true
	}
	plain = s[0] != ' ' && s[n-1] != ' ' && !(n >= 3 && (s[:3] == "---" || s[:3] == "..."))
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		plain = false
	case '?', ':', '-':
		if n == 1 || s[1] == ' ' {
			plain = false
		}
	}
	for i := 0; i < n; i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7E:
			return false, false
		case c == ':' && i > 0 && (i+1 == n || s[i+1] == ' '):
			plain = false
		case c == '#' && i > 0 && s[i-1] == ' ':
			plain = false
		}
	}
	return plain, true
}
