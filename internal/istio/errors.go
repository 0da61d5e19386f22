package istio

import (
	"errors"
	"fmt"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Errors a caller tells apart with errors.Is. Each is wrapped in an error
// that says where it happened.
var (
	// ErrInvalid: a value has the wrong shape or is not one Istio accepts:
	// an egress host without "/", an unknown outboundTrafficPolicy mode.
	ErrInvalid = errors.New("invalid value")
	// ErrNoConfig: a file given as Sidecar objects or mesh config holds
	// neither.
	ErrNoConfig = errors.New("no Istio configuration")
)

// Error is an error reading one file of Istio configuration.
type Error struct {
	Path string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	Err          error
}

func (e *Error) Error() string {
	return "mesh: " + source.Where(e.Path, e.Line, e.Column) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// problem is a message that reads on its own with a sentinel behind it.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

func newProblem(kind error, format string, args ...any) error {
	return &problem{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// fromInventory turns an inventory error about a file given as Istio
// configuration into a mesh error at the same place.
func fromInventory(err error) error {
	var ie *inventory.Error
	if !errors.As(err, &ie) {
		return err
	}
	inner := ie.Err
	if errors.Is(err, inventory.ErrUnrecognized) {
		inner = newProblem(ErrNoConfig, "holds no Sidecar objects or mesh config: expected kind: Sidecar, the istio ConfigMap, a mesh: key or a MeshConfig")
	}
	return &Error{Path: ie.Path, Line: ie.Line, Column: ie.Column, Err: inner}
}
