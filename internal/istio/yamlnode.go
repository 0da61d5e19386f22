package istio

import (
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
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

// problem turns a yamltree.Problem into an *inventory.Error at its node.
func (r reader) problem(p *source.Problem) *inventory.Error {
	if p == nil {
		return nil
	}
	return r.fail(p.Node, "%s", p.Msg)
}

func (r reader) str(n *yaml.Node, what string) (string, *inventory.Error) {
	v, p := source.Str(n, what)
	return v, r.problem(p)
}

func (r reader) list(n *yaml.Node, what string) ([]*yaml.Node, *inventory.Error) {
	v, p := source.List(n, what)
	return v, r.problem(p)
}

func (r reader) mapping(n *yaml.Node, what string) *inventory.Error {
	return r.problem(source.Mapping(n, what))
}

func (r reader) strMap(n *yaml.Node, what string) (map[string]string, *inventory.Error) {
	v, p := source.StrMap(n, what)
	return v, r.problem(p)
}

func (r reader) port(n *yaml.Node, what string) (uint16, *inventory.Error) {
	v, p := source.Port(n, what)
	return v, r.problem(p)
}
