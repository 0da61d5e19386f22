package source

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The readers below take one field of a known shape. A missing or null
// field reads as the zero value; a value of another shape is a Problem that
// names the field by its path ("spec.ports[1].port"), given as what, and
// says what was found instead. A Reader turns a Problem into an *Error with
// the file and position.

// Problem is a value of the wrong shape: the node that holds it and a
// message that reads on its own ("expected a list for spec.egress, found a
// mapping").
type Problem struct {
	Node *yaml.Node
	Msg  string
}

func problem(n *yaml.Node, format string, args ...any) *Problem {
	return &Problem{Node: n, Msg: fmt.Sprintf(format, args...)}
}

// Str reads a string.
func Str(n *yaml.Node, what string) (string, *Problem) {
	if IsNull(n) {
		return "", nil
	}
	n = Resolve(n)
	if n.Kind != yaml.ScalarNode {
		return "", problem(n, "expected a string for %s, found %s", what, Shape(n))
	}
	return n.Value, nil
}

// Bool reads true or false, in any case.
func Bool(n *yaml.Node, what string) (bool, *Problem) {
	if IsNull(n) {
		return false, nil
	}
	n = Resolve(n)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, problem(n, "expected true or false for %s, found %s", what, Shape(n))
}

// Port reads a port number, 1-65535.
func Port(n *yaml.Node, what string) (uint16, *Problem) {
	if IsNull(n) {
		return 0, nil
	}
	n = Resolve(n)
	if n.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseUint(strings.TrimSpace(n.Value), 10, 16); err == nil && v > 0 {
			return uint16(v), nil
		}
	}
	return 0, problem(n, "expected a port number 1-65535 for %s, found %s", what, Shape(n))
}

// List reads a sequence.
func List(n *yaml.Node, what string) ([]*yaml.Node, *Problem) {
	if IsNull(n) {
		return nil, nil
	}
	n = Resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, problem(n, "expected a list for %s, found %s", what, Shape(n))
	}
	return n.Content, nil
}

// Mapping checks that a field is a mapping, or missing.
func Mapping(n *yaml.Node, what string) *Problem {
	if IsNull(n) || Resolve(n).Kind == yaml.MappingNode {
		return nil
	}
	return problem(n, "expected a mapping for %s, found %s", what, Shape(Resolve(n)))
}

// StrMap reads a map of strings (labels, selectors, annotations); a
// missing or null field is nil, an empty mapping an empty non-nil map.
func StrMap(n *yaml.Node, what string) (map[string]string, *Problem) {
	if IsNull(n) {
		return nil, nil
	}
	if p := Mapping(n, what); p != nil {
		return nil, p
	}
	n = Resolve(n)
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, p := Str(n.Content[i], what+" key")
		if p != nil {
			return nil, p
		}
		v, p := Str(n.Content[i+1], what+"."+k)
		if p != nil {
			return nil, p
		}
		out[k] = v
	}
	return out, nil
}

// Indexed names the i-th element of the list what: "spec.egress[2]".
func Indexed(what string, i int) string {
	return what + "[" + strconv.Itoa(i) + "]"
}

// Shape names what a node holds, for a message: "a mapping", "a list", the
// scalar quoted, or "nothing".
func Shape(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return Quote(n.Value)
	}
	return "nothing"
}

// MaxQuoted is how many characters of offending input Quote keeps; a
// longer text is cut and ends in "...".
const MaxQuoted = 48

// Quote quotes s for an error message, Go-style, cut at MaxQuoted
// characters.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == MaxQuoted {
			return strconv.Quote(s[:i] + "...")
		}
		n++
	}
	return strconv.Quote(s)
}
