package inventory

import (
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pcapcheck/pcapcheck/analyze/yamltree"
)

// JSON and YAML are both read into yaml.v3 nodes, so that every value keeps
// the line and column it was read at and every error can point at it. The
// helpers here read one field of a known shape and fail with the field's
// path ("spec.ports[1].port") when it has another.

// doc reads the nodes of one file.
type doc struct {
	path string
	// near is the object being read: an error about a field it lacks
	// points at it.
	near *yaml.Node
}

func (d doc) fail(n *yaml.Node, kind error, format string, args ...any) *Error {
	if n == nil {
		n = d.near
	}
	if n == nil {
		return errAt(d.path, 0, 0, kind, format, args...)
	}
	return errAt(d.path, n.Line, n.Column, kind, format, args...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return quote(n.Value)
	}
	return "nothing"
}

// str reads a string field; a missing or null field is "".
func (d doc) str(n *yaml.Node, what string) (string, *Error) {
	if yamltree.IsNull(n) {
		return "", nil
	}
	n = yamltree.Resolve(n)
	if n.Kind != yaml.ScalarNode {
		return "", d.fail(n, ErrInvalid, "expected a string for %s, found %s", what, kindName(n))
	}
	return n.Value, nil
}

// boolean reads a boolean field; a missing or null field is false.
func (d doc) boolean(n *yaml.Node, what string) (bool, *Error) {
	if yamltree.IsNull(n) {
		return false, nil
	}
	n = yamltree.Resolve(n)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, d.fail(n, ErrInvalid, "expected true or false for %s, found %s", what, kindName(n))
}

// port reads a port number, 1-65535; a missing or null field is 0.
func (d doc) port(n *yaml.Node, what string) (uint16, *Error) {
	if yamltree.IsNull(n) {
		return 0, nil
	}
	n = yamltree.Resolve(n)
	if n.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseUint(n.Value, 10, 16); err == nil && v > 0 {
			return uint16(v), nil
		}
	}
	return 0, d.fail(n, ErrInvalid, "expected a port number 1-65535 for %s, found %s", what, kindName(n))
}

// addr reads an IP address field.
func (d doc) addr(n *yaml.Node, what string) (netip.Addr, *Error) {
	s, err := d.str(n, what)
	if err != nil {
		return netip.Addr{}, err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil {
		found := quote(s)
		if yamltree.IsNull(n) {
			found = "nothing"
		}
		return netip.Addr{}, d.fail(n, ErrInvalid, "expected an IP address for %s, found %s", what, found)
	}
	return plain(a), nil
}

// list reads a sequence field; a missing or null field is empty.
func (d doc) list(n *yaml.Node, what string) ([]*yaml.Node, *Error) {
	if yamltree.IsNull(n) {
		return nil, nil
	}
	n = yamltree.Resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, d.fail(n, ErrInvalid, "expected a list for %s, found %s", what, kindName(n))
	}
	return n.Content, nil
}

// mapping checks that a field is a mapping (or missing).
func (d doc) mapping(n *yaml.Node, what string) *Error {
	if yamltree.IsNull(n) || yamltree.Resolve(n).Kind == yaml.MappingNode {
		return nil
	}
	return d.fail(n, ErrInvalid, "expected a mapping for %s, found %s", what, kindName(yamltree.Resolve(n)))
}

// strMap reads a map of strings (labels, selector, annotations); a missing
// or null field is nil.
func (d doc) strMap(n *yaml.Node, what string) (map[string]string, *Error) {
	if yamltree.IsNull(n) {
		return nil, nil
	}
	if err := d.mapping(n, what); err != nil {
		return nil, err
	}
	n = yamltree.Resolve(n)
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := d.str(n.Content[i], what+" key")
		if err != nil {
			return nil, err
		}
		v, err := d.str(n.Content[i+1], what+"."+k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func indexed(what string, i int) string {
	return what + "[" + strconv.Itoa(i) + "]"
}
