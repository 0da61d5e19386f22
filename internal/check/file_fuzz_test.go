package check

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// checkParse holds Parse to its contract for one input: it returns a file
// or an error, never both; an error is a *source.Error that names the path, a
// line within the file (or just past its end), says ErrInvalid, fits on one line and comes from
// no recovered runtime panic; a file has at least one rule, each with a
// line, valid verdicts, something it asserts and a one-line text; and the
// same input parses the same way twice.
func checkParse(t *testing.T, data []byte) {
	t.Helper()
	const path = "e.yaml"
	f, err := Parse(path, data)
	if err != nil {
		if f != nil {
			t.Fatalf("Parse returned a file and the error %v", err)
		}
		var e *source.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not a *source.Error", err, err)
		}
		msg := err.Error()
		lines := yamlLines(data)
		switch {
		case e.Path != path || !strings.HasPrefix(msg, "check: "+path):
			t.Fatalf("error %q does not name %s", msg, path)
		// yaml.v3 places the empty document of a file that ends in "---"
		// on the line after it: one past the last line is the end of file.
		case e.Line < 0 || e.Line > lines+1:
			t.Fatalf("error %q: line %d of a file of %d lines", msg, e.Line, lines)
		case !errors.Is(err, ErrInvalid):
			t.Fatalf("error %q is not ErrInvalid", msg)
		case strings.ContainsAny(msg, "\n\r"):
			t.Fatalf("error %q is more than one line", msg)
		case strings.Contains(msg, "runtime error"):
			t.Fatalf("Parse recovered from a panic: %s", msg)
		}
	} else {
		if f == nil || len(f.Rules) == 0 {
			t.Fatalf("Parse returned no error and no rule")
		}
		for i, r := range f.Rules {
			if r.Line < 1 {
				t.Errorf("rule %d: line %d", i, r.Line)
			}
			for _, v := range append(r.Verdicts[:len(r.Verdicts):len(r.Verdicts)], r.Forbid...) {
				if v.String() == "invalid" {
					t.Errorf("rule %d (%s): invalid verdict %d", i, r.Text, v)
				}
			}
			if r.Verdicts == nil && r.Forbid == nil && !r.MatchExpected && r.Present == nil {
				t.Errorf("rule %d (%s) asserts nothing", i, r.Text)
			}
			if !strings.HasPrefix(r.Text, "{") || strings.ContainsAny(r.Text, "\n\r") {
				t.Errorf("rule %d: text %q is not one line in braces", i, r.Text)
			}
		}
	}
	f2, err2 := Parse(path, data)
	if !reflect.DeepEqual(f, f2) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
		t.Fatalf("Parse differs between two runs: %v / %v", err, err2)
	}
}

// yamlLines counts lines as YAML does: CR LF, LF, CR, NEL, LS and PS
// each end one.
func yamlLines(data []byte) int {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	n := 1
	for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(brk))
	}
	return n
}

// parseEdges are expectations files that probe the parser, each named for
// its edge; FuzzParse starts from them and the committed bookinfo files,
// and TestParseContract runs them every time.
var parseEdges = []struct{ name, in string }{
	{"empty file", ""},
	{"only a comment", "# nothing\n"},
	{"rules: mapping form", "rules:\n- {from: a/b, to: c/d, verdict: passthrough}\n"},
	{"rules: with null", "rules:\n"},
	{"a second top-level key", "rules: []\nother: 1\n"},
	{"scalar document", "passthrough\n"},
	{"verdict list and forbid list", "- {verdict: [passthrough, sidecar-dnat], forbid: [external]}\n"},
	{"unknown verdict", "- {verdict: mesh}\n"},
	{"empty verdict list", "- {verdict: []}\n"},
	{"present not a bool", "- {present: maybe}\n"},
	{"present as yes (YAML 1.1 bool)", "- {present: yes}\n"},
	{"match other than expected", "- {match: observed}\n"},
	{"unknown key in a rule", "- {from: a, color: red}\n"},
	{"rule that asserts nothing", "- {from: a, to: b, why: x}\n"},
	{"mapping as from", "- {from: {a: b}, verdict: unknown}\n"},
	{"quoted value with a newline", "- {from: \"a\\nb\", verdict: unknown}\n"},
	{"block scalar with a newline", "- from: |\n    a\n    b\n  verdict: unknown\n"},
	{"tab where YAML forbids it", "-\t{verdict: unknown}\n"},
	{"unterminated flow mapping", "- {from: a\n"},
	{"duplicate key", "- {from: a, from: b, verdict: unknown}\n"},
	{"anchor and alias", "- &r {from: a, verdict: unknown}\n- *r\n"},
	{"alias of an undefined anchor", "- *nope\n"},
	{"alias as a verdict", "- {forbid: &v external}\n- {verdict: *v}\n"},
	{"merge key", "- &r {from: a}\n- {<<: *r, verdict: unknown}\n"},
	{"custom tag", "- !rule {verdict: unknown}\n"},
	{"document marker and no newline, found by FuzzParse: the error is one line past the end", "---"},
	{"two documents", "- {verdict: unknown}\n---\n- {verdict: node}\n"},
	{"control characters in a key", "- {\"\\x1b[2J\": 1}\n"},
	{"CR-only line end, found by FuzzParse: the error is on line 2", "\r0"},
	{"NEL and LS as line ends", "- {verdict: unknown}\u0085- {verdict: node}\u2028x"},
	{"CRLF line ends", "- from: a\r\n  verdict: unknown\r\n"},
	{"UTF-8 BOM", "\ufeff- {verdict: unknown}\n"},
	{"invalid UTF-8", "- {from: \xff, verdict: unknown}\n"},
	{"deep nesting", strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n"},
}

func TestParseContract(t *testing.T) {
	for _, tt := range parseEdges {
		t.Run(tt.name, func(t *testing.T) { checkParse(t, []byte(tt.in)) })
	}
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("../../fixtures/bookinfo/expect*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no expectations files to seed from: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data) // the committed expectations of the seed's before and after
	}
	for _, tt := range parseEdges {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(checkParse)
}
