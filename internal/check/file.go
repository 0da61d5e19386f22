package check

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// ErrInvalid: the expectations file is not YAML, or a rule has the wrong
// shape: an unknown key, an unknown verdict, no assertion.
var ErrInvalid = errors.New("invalid expectations")

// prefix starts the message of every error about an expectations file.
const prefix = "check"

// reader makes the errors about the values of an expectations file: a
// *source.Error wrapping ErrInvalid, at the value (nil: the file).
func reader(path string) source.Reader {
	return source.Reader{Prefix: prefix, Path: path, Invalid: ErrInvalid}
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
	Verdicts []report.Verdict
	// Forbid: no selected flow may have any of them.
	Forbid []report.Verdict
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
		return nil, &source.Error{Prefix: prefix, Path: path, Err: fmt.Errorf("cannot read: %w", err)}
	}
	return Parse(path, data)
}

// Parse reads an expectations file's content; path is used in errors,
// which are *source.Error values wrapping ErrInvalid. Only the first YAML
// document is read.
func Parse(path string, data []byte) (*File, error) {
	r := reader(path)
	var root *yaml.Node
	for doc, err := range source.Documents(data) {
		var se *source.SyntaxError
		if errors.As(err, &se) {
			e := r.Invalidf(nil, "malformed YAML: %s", se.Msg)
			e.Line = se.Line
			return nil, e
		}
		root = doc
		break
	}
	if root == nil {
		return nil, r.Invalidf(nil, "empty: expected a list of rules such as - {from: default/my-shell, to: bookinfo/reviews, verdict: passthrough}")
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.MappingNode {
		var rules *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "rules" {
				return nil, r.Invalidf(root.Content[i], "unknown key %q: expected a list of rules, or rules: followed by the list", root.Content[i].Value)
			}
			rules = root.Content[i+1]
		}
		root = rules
	}
	if root == nil || root.Kind != yaml.SequenceNode {
		return nil, r.Invalidf(root, "expected a list of rules such as - {from: default/my-shell, to: bookinfo/reviews, verdict: passthrough}")
	}
	f := &File{Path: path}
	for _, item := range root.Content {
		rule, err := parseRule(r, item)
		if err != nil {
			return nil, err
		}
		f.Rules = append(f.Rules, rule)
	}
	if len(f.Rules) == 0 {
		return nil, r.Invalidf(root, "expected at least one rule")
	}
	return f, nil
}

func parseRule(src source.Reader, n *yaml.Node) (Rule, error) {
	r := Rule{From: "*", To: "*", Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return r, src.Invalidf(n, "expected a rule (a mapping with from, to and verdict, forbid, match or present), found %s", shape(n))
	}
	var text []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "from":
			r.From, err = str(src, v, "from")
		case "to":
			r.To, err = str(src, v, "to")
		case "why":
			r.Why, err = str(src, v, "why")
		case "verdict":
			r.Verdicts, err = verdicts(src, v, "verdict")
		case "forbid":
			r.Forbid, err = verdicts(src, v, "forbid")
		case "match":
			var s string
			if s, err = str(src, v, "match"); err == nil && s != "expected" {
				err = src.Invalidf(v, "match: expected \"expected\" (observed must equal predicted), found %q", s)
			}
			r.MatchExpected = true
		case "present":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				err = src.Invalidf(v, "present: expected true or false, found %s", shape(v))
			}
			r.Present = &b
		default:
			err = src.Invalidf(k, "unknown key %q: expected from, to, verdict, forbid, match, present or why", k.Value)
		}
		if err != nil {
			return r, err
		}
		if k.Value != "why" {
			text = append(text, k.Value+": "+inline(v))
		}
	}
	if r.Verdicts == nil && r.Forbid == nil && !r.MatchExpected && r.Present == nil {
		return r, src.Invalidf(n, "rule asserts nothing: expected verdict, forbid, match: expected or present")
	}
	r.Text = "{" + strings.Join(text, ", ") + "}"
	return r, nil
}

func str(src source.Reader, n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", src.Invalidf(n, "%s: expected a string, found %s", what, shape(n))
	}
	return n.Value, nil
}

// verdicts reads a verdict name or a list of them.
func verdicts(src source.Reader, n *yaml.Node, what string) ([]report.Verdict, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	out := []report.Verdict{}
	for _, item := range items {
		s, err := str(src, item, what)
		if err != nil {
			return nil, err
		}
		v, perr := report.ParseVerdict(s)
		if perr != nil {
			return nil, src.Invalidf(item, "%s: %s", what, strings.TrimPrefix(perr.Error(), "analyze: "))
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, src.Invalidf(n, "%s: expected at least one verdict", what)
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

// inline prints a value of a rule on one line: a value with YAML syntax,
// a newline, a control character or invalid UTF-8 in it is quoted.
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
	if n.Value == "" || strings.ContainsAny(n.Value, "*:{}[],&!|>'\"%@`#") || strconv.Quote(n.Value) != `"`+n.Value+`"` {
		return strconv.Quote(n.Value)
	}
	return n.Value
}
