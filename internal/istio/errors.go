package istio

import (
	"errors"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Errors a caller tells apart with errors.Is. Each is wrapped in a
// *source.Error that says where it happened.
var (
	// ErrInvalid: a value has the wrong shape or is not one Istio accepts:
	// an egress host without "/", an unknown outboundTrafficPolicy mode.
	ErrInvalid = errors.New("invalid value")
	// ErrNoConfig: a file given as Sidecar objects or mesh config holds
	// neither.
	ErrNoConfig = errors.New("no Istio configuration")
)

// prefix starts the message of the errors Load and Parse return.
const prefix = "mesh"

// newReader reads the fields of a document of path. Its errors name no
// reader: the inventory load that handed the document over names them its
// own, and Load and Parse name them the mesh's (fromInventory).
func newReader(path string, near *yaml.Node) source.Reader {
	return source.Reader{Path: path, Invalid: ErrInvalid, Near: near}
}

// errNoConfig is the error of a file that holds no Istio configuration.
func errNoConfig(path string) *source.Error {
	return &source.Error{Prefix: prefix, Path: path, Err: source.Errorf(ErrNoConfig,
		"holds no Sidecar objects or mesh config: expected kind: Sidecar, the istio ConfigMap, a mesh: key or a MeshConfig")}
}

// fromInventory names an error of the inventory load that read a file
// given as Istio configuration the mesh's; a file the inventory did not
// recognize holds no Istio configuration.
func fromInventory(err error) error {
	var ie *source.Error
	if !errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, inventory.ErrUnrecognized) {
		return &source.Error{Prefix: prefix, Path: ie.Path, Line: ie.Line, Column: ie.Column, Err: errNoConfig(ie.Path).Err}
	}
	e := *ie
	e.Prefix = prefix
	return &e
}
