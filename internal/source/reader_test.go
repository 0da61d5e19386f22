package source

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestReader(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("kind: Pod\nspec:\n  port: x\n"), &doc))
	obj := doc.Content[0]
	errInvalid := errors.New("invalid value")
	r := Reader{Prefix: "inventory", Path: "p.yaml", Invalid: errInvalid, Near: obj}
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a field reader's problem, at the value", func() *Error { _, e := r.Port(At(obj, "spec", "port"), "spec.port"); return e }(),
			`inventory: p.yaml:3:9: expected a port number 1-65535 for spec.port, found "x"`},
		{"a missing field, at the object", r.Invalidf(At(obj, "metadata"), "expected metadata"), "inventory: p.yaml:1:1: expected metadata"},
		{"no object: the file", Reader{Prefix: "check", Path: "c.yaml", Invalid: errInvalid}.Invalidf(nil, "empty"), "check: c.yaml: empty"},
		{"inside a block string: the line moved, no column", Reader{Path: "cm.yaml", Invalid: errInvalid, LineOffset: 10}.Invalidf(At(obj, "spec"), "bad"), "cm.yaml:13: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotNil(t, tt.err)
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, tt.err, errInvalid)
		})
	}
	_, err := r.Str(At(obj, "kind"), "kind")
	assert.Nil(t, err, "a value of the right shape is no error")
}
