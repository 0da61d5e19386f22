package inventory

import (
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// JSON and YAML are both read into yaml.v3 nodes, so that every value keeps
// the line and column it was read at and every error can point at it. The
// helpers here read one field of a known shape (yamltree's readers) and fail
// with the field's path ("spec.ports[1].port") and position when it has
// another.

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

// problem turns a yamltree.Problem into an *Error at its node.
func (d doc) problem(p *source.Problem) *Error {
	if p == nil {
		return nil
	}
	return d.fail(p.Node, ErrInvalid, "%s", p.Msg)
}

func (d doc) str(n *yaml.Node, what string) (string, *Error) {
	v, p := source.Str(n, what)
	return v, d.problem(p)
}

func (d doc) boolean(n *yaml.Node, what string) (bool, *Error) {
	v, p := source.Bool(n, what)
	return v, d.problem(p)
}

func (d doc) port(n *yaml.Node, what string) (uint16, *Error) {
	v, p := source.Port(n, what)
	return v, d.problem(p)
}

func (d doc) list(n *yaml.Node, what string) ([]*yaml.Node, *Error) {
	v, p := source.List(n, what)
	return v, d.problem(p)
}

func (d doc) mapping(n *yaml.Node, what string) *Error {
	return d.problem(source.Mapping(n, what))
}

func (d doc) strMap(n *yaml.Node, what string) (map[string]string, *Error) {
	v, p := source.StrMap(n, what)
	return v, d.problem(p)
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
		if source.IsNull(n) {
			found = "nothing"
		}
		return netip.Addr{}, d.fail(n, ErrInvalid, "expected an IP address for %s, found %s", what, found)
	}
	return plain(a), nil
}
