package check

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// ErrInvalid: the expectations file is not YAML, or a rule has the wrong
// shape: an unknown key, an unknown verdict, no assertion.
var ErrInvalid = errors.New("invalid expectations")

// Error is a problem in an expectations file, with where it is.
type Error struct {
	Path         string
	Line, Column int
	Err          error
}

func (e *Error) Error() string {
	return "check: " + source.Where(e.Path, e.Line, e.Column) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

type problem struct{ msg string }

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return ErrInvalid }

func errAt(path string, n *yaml.Node, format string, args ...any) *Error {
	e := &Error{Path: path, Err: &problem{fmt.Sprintf(format, args...)}}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// File is a parsed expectations file.
type File struct {
	Path  string
	Rules []Rule
}

// Rule is one assertion.
type Rule struct {
	From, To string
	// Verdicts: every selected flow must have one of them; nil when the
	// rule does not say.
	Verdicts []engine.Verdict
	// Forbid: no selected flow may have any of them.
	Forbid []engine.Verdict
	// MatchExpected: observed must equal predicted.
	MatchExpected bool
	// Present: nil when the rule does not say; true requires a selected
	// flow, false forbids one.
	Present *bool
	Why     string
	// Line is the rule's line in the file.
	Line int
	// Text is the rule as written, on one line, for messages.
	Text string
}

// Pos is the rule's "file:line".
func (r Rule) Pos(path string) string { return path + ":" + strconv.Itoa(r.Line) }

// NeedsPrediction reports whether any rule compares with the predicted
// path.
func (f *File) NeedsPrediction() bool {
	return slices.ContainsFunc(f.Rules, func(r Rule) bool { return r.MatchExpected })
}

// Read reads an expectations file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{Path: path, Err: fmt.Errorf("cannot read: %w", err)}
	}
	return Parse(path, data)
}

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// yamlParserError matches messages of yaml.v3's parser (as opposed to
	// its scanner), whose "line N" is the line before the construct that
	// failed.
	yamlParserError = regexp.MustCompile(`^(did not find expected (key|node content|',' or|'-' indicator|<)|found (duplicate|incompatible|undefined tag handle))`)
)

// Parse reads an expectations file's content; path is used in errors.
func Parse(path string, data []byte) (f *File, err error) {
	defer func() {
		if p := recover(); p != nil { // yaml.v3 has panicked on malformed input before
			f, err = nil, errAt(path, nil, "malformed YAML: %v", p)
		}
	}()
	f = &File{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if derr := dec.Decode(&doc); derr != nil {
		if derr == io.EOF {
			return nil, errAt(path, nil, "empty: expected a list of rules such as - {from: default/my-shell, to: bookinfo/reviews, verdict: passthrough}")
		}
		e := errAt(path, nil, "malformed YAML: %s", strings.TrimPrefix(derr.Error(), "yaml: "))
		if m := yamlLine.FindStringSubmatch(derr.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			if yamlParserError.MatchString(m[2]) {
				e.Line = min(e.Line+1, bytes.Count(data, []byte{'\n'})+1)
			}
			e.Err = &problem{"malformed YAML: " + m[2]}
		} else {
			e.Line = 1 // yaml.v3 leaves "line N" out for its first line
		}
		return nil, e
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.MappingNode {
		var rules *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "rules" {
				return nil, errAt(path, root.Content[i], "unknown key %q: expected a list of rules, or rules: followed by the list", root.Content[i].Value)
			}
			rules = root.Content[i+1]
		}
		root = rules
	}
	if root == nil || root.Kind != yaml.SequenceNode {
		return nil, errAt(path, root, "expected a list of rules such as - {from: default/my-shell, to: bookinfo/reviews, verdict: passthrough}")
	}
	for _, item := range root.Content {
		r, err := parseRule(path, item)
		if err != nil {
			return nil, err
		}
		f.Rules = append(f.Rules, r)
	}
	if len(f.Rules) == 0 {
		return nil, errAt(path, root, "expected at least one rule")
	}
	return f, nil
}

func parseRule(path string, n *yaml.Node) (Rule, error) {
	r := Rule{From: "*", To: "*", Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return r, errAt(path, n, "expected a rule (a mapping with from, to and verdict, forbid, match or present), found %s", shape(n))
	}
	var text []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "from":
			r.From, err = str(path, v, "from")
		case "to":
			r.To, err = str(path, v, "to")
		case "why":
			r.Why, err = str(path, v, "why")
		case "verdict":
			r.Verdicts, err = verdicts(path, v, "verdict")
		case "forbid":
			r.Forbid, err = verdicts(path, v, "forbid")
		case "match":
			var s string
			if s, err = str(path, v, "match"); err == nil && s != "expected" {
				err = errAt(path, v, "match: expected \"expected\" (observed must equal predicted), found %q", s)
			}
			r.MatchExpected = true
		case "present":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				err = errAt(path, v, "present: expected true or false, found %s", shape(v))
			}
			r.Present = &b
		default:
			err = errAt(path, k, "unknown key %q: expected from, to, verdict, forbid, match, present or why", k.Value)
		}
		if err != nil {
			return r, err
		}
		if k.Value != "why" {
			text = append(text, k.Value+": "+inline(v))
		}
	}
	if r.Verdicts == nil && r.Forbid == nil && !r.MatchExpected && r.Present == nil {
		return r, errAt(path, n, "rule asserts nothing: expected verdict, forbid, match: expected or present")
	}
	r.Text = "{" + strings.Join(text, ", ") + "}"
	return r, nil
}

func str(path string, n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errAt(path, n, "%s: expected a string, found %s", what, shape(n))
	}
	return n.Value, nil
}

// verdicts reads a verdict name or a list of them.
func verdicts(path string, n *yaml.Node, what string) ([]engine.Verdict, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	out := []engine.Verdict{}
	for _, item := range items {
		s, err := str(path, item, what)
		if err != nil {
			return nil, err
		}
		v, perr := engine.ParseVerdict(s)
		if perr != nil {
			return nil, errAt(path, item, "%s: %s", what, strings.TrimPrefix(perr.Error(), "analyze: "))
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errAt(path, n, "%s: expected at least one verdict", what)
	}
	return out, nil
}

func shape(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// inline prints a value of a rule on one line.
func inline(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode {
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = inline(c)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if n.Kind != yaml.ScalarNode {
		return shape(n)
	}
	if n.Value == "" || strings.ContainsAny(n.Value, "*:{}[],&!|>'\"%@`#") {
		return strconv.Quote(n.Value)
	}
	return n.Value
}
