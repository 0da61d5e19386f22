package source

import "go.yaml.in/yaml/v3"

// Reader reads the fields of one document of a file with the field readers
// and turns what they find wrong into an *Error at the bad value: the one
// set of node wrappers of the inventory, Istio and expectations readers.
type Reader struct {
	// Prefix and Path are those of the errors it makes.
	Prefix, Path string
	// Invalid is the sentinel behind a value of the wrong shape: the
	// reading package's ErrInvalid.
	Invalid error
	// LineOffset is added to the lines of nodes read from YAML embedded in
	// a string (the mesh key of the istio ConfigMap); their columns do not
	// map back to the file and are left out. 0 otherwise.
	LineOffset int
	// Near is the object being read: an error about a field it lacks
	// points at it. With none, such an error names the file alone.
	Near *yaml.Node
}

// Fail returns an error at n (at Near when n is nil) wrapping kind.
func (r Reader) Fail(n *yaml.Node, kind error, format string, args ...any) *Error {
	if n == nil {
		n = r.Near
	}
	e := &Error{Prefix: r.Prefix, Path: r.Path, Err: Errorf(kind, format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line+r.LineOffset, n.Column
		if r.LineOffset != 0 {
			e.Column = 0
		}
	}
	return e
}

// Invalidf is Fail with the Invalid sentinel.
func (r Reader) Invalidf(n *yaml.Node, format string, args ...any) *Error {
	return r.Fail(n, r.Invalid, format, args...)
}

// Problem turns a field reader's Problem into an *Error at its node; nil
// for none.
func (r Reader) Problem(p *Problem) *Error {
	if p == nil {
		return nil
	}
	return r.Invalidf(p.Node, "%s", p.Msg)
}

// Str is the field reader Str, failing at the value.
func (r Reader) Str(n *yaml.Node, what string) (string, *Error) {
	v, p := Str(n, what)
	return v, r.Problem(p)
}

// Bool is the field reader Bool, failing at the value.
func (r Reader) Bool(n *yaml.Node, what string) (bool, *Error) {
	v, p := Bool(n, what)
	return v, r.Problem(p)
}

// Port is the field reader Port, failing at the value.
func (r Reader) Port(n *yaml.Node, what string) (uint16, *Error) {
	v, p := Port(n, what)
	return v, r.Problem(p)
}

// List is the field reader List, failing at the value.
func (r Reader) List(n *yaml.Node, what string) ([]*yaml.Node, *Error) {
	v, p := List(n, what)
	return v, r.Problem(p)
}

// Mapping is the field reader Mapping, failing at the value.
func (r Reader) Mapping(n *yaml.Node, what string) *Error {
	return r.Problem(Mapping(n, what))
}

// StrMap is the field reader StrMap, failing at the value.
func (r Reader) StrMap(n *yaml.Node, what string) (map[string]string, *Error) {
	v, p := StrMap(n, what)
	return v, r.Problem(p)
}
