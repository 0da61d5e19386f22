package mesh

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pcapcheck/pcapcheck/analyze/inventory"
	"github.com/pcapcheck/pcapcheck/analyze/yamltree"
)

// reader reads the fields of one document and fails with the field's path
// ("spec.egress[0].hosts[1]") and position when a value has the wrong shape.
// Errors are *inventory.Error, since documents reach this package through
// an inventory load.
type reader struct {
	path string
	// lineOffset is added to the lines of nodes read from YAML embedded in
	// a string (the mesh key of the istio ConfigMap); 0 otherwise.
	lineOffset int
	// near is the object being read: an error about a field it lacks
	// points at it.
	near *yaml.Node
}

func (r reader) fail(n *yaml.Node, format string, args ...any) *inventory.Error {
	if n == nil {
		n = r.near
	}
	e := &inventory.Error{Path: r.path, Err: newProblem(ErrInvalid, format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line+r.lineOffset, n.Column
		if r.lineOffset != 0 {
			e.Column = 0 // columns inside a folded string do not map back
		}
	}
	return e
}

func shapeOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(cut(n.Value, 48))
	}
	return "nothing"
}

// cut shortens s to n characters for an error message.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

// str reads a string; a missing or null field is "".
func (r reader) str(n *yaml.Node, what string) (string, *inventory.Error) {
	if yamltree.IsNull(n) {
		return "", nil
	}
	n = yamltree.Resolve(n)
	if n.Kind != yaml.ScalarNode {
		return "", r.fail(n, "expected a string for %s, found %s", what, shapeOf(n))
	}
	return n.Value, nil
}

// list reads a sequence; a missing or null field is empty.
func (r reader) list(n *yaml.Node, what string) ([]*yaml.Node, *inventory.Error) {
	if yamltree.IsNull(n) {
		return nil, nil
	}
	n = yamltree.Resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, r.fail(n, "expected a list for %s, found %s", what, shapeOf(n))
	}
	return n.Content, nil
}

// mapping checks that a field is a mapping, or missing.
func (r reader) mapping(n *yaml.Node, what string) *inventory.Error {
	if yamltree.IsNull(n) || yamltree.Resolve(n).Kind == yaml.MappingNode {
		return nil
	}
	return r.fail(n, "expected a mapping for %s, found %s", what, shapeOf(yamltree.Resolve(n)))
}

// strMap reads a map of strings; a missing or null field is nil, an empty
// mapping an empty non-nil map.
func (r reader) strMap(n *yaml.Node, what string) (map[string]string, *inventory.Error) {
	if yamltree.IsNull(n) {
		return nil, nil
	}
	if err := r.mapping(n, what); err != nil {
		return nil, err
	}
	n = yamltree.Resolve(n)
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := r.str(n.Content[i], what+" key")
		if err != nil {
			return nil, err
		}
		v, err := r.str(n.Content[i+1], what+"."+k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// port reads a port number 1-65535; a missing or null field is 0.
func (r reader) port(n *yaml.Node, what string) (uint16, *inventory.Error) {
	if yamltree.IsNull(n) {
		return 0, nil
	}
	n = yamltree.Resolve(n)
	if n.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseUint(strings.TrimSpace(n.Value), 10, 16); err == nil && v > 0 {
			return uint16(v), nil
		}
	}
	return 0, r.fail(n, "expected a port number 1-65535 for %s, found %s", what, shapeOf(n))
}

func indexed(what string, i int) string {
	return what + "[" + strconv.Itoa(i) + "]"
}
