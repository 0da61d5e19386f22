package source

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestFields reads each shape from a document, as the inventory and mesh
// readers do, and checks what a wrong shape says and where.
func TestFields(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(`
name: reviews
labels: &l {app: reviews, version: v1}
alias: *l
ready: "True"
port: " 9080 "
ports: [80, 443]
zero: 0
big: 70000
nested: {a: [1]}
none: null
long: `+strings.Repeat("x", 60)+`
`), &doc))
	root := doc.Content[0]
	f := func(key string) *yaml.Node { return Field(root, key) }
	tests := []struct {
		name    string
		read    func() (any, *Problem)
		want    any
		problem string // "" for none
		line    int    // of the node the problem names
	}{
		{"a string", func() (any, *Problem) { return Str(f("name"), "name") }, "reviews", "", 0},
		{"a missing string", func() (any, *Problem) { return Str(f("nope"), "nope") }, "", "", 0},
		{"a list for a string", func() (any, *Problem) { return Str(f("ports"), "ports") }, "", "expected a string for ports, found a list", 7},
		{"a boolean in any case", func() (any, *Problem) { return Bool(f("ready"), "ready") }, true, "", 0},
		{"a string for a boolean", func() (any, *Problem) { return Bool(f("name"), "name") }, false, `expected true or false for name, found "reviews"`, 2},
		{"a port with spaces", func() (any, *Problem) { return Port(f("port"), "port") }, uint16(9080), "", 0},
		{"port 0", func() (any, *Problem) { return Port(f("zero"), "zero") }, uint16(0), `expected a port number 1-65535 for zero, found "0"`, 8},
		{"a port too large", func() (any, *Problem) { return Port(f("big"), "big") }, uint16(0), `expected a port number 1-65535 for big, found "70000"`, 9},
		{"a null port", func() (any, *Problem) { return Port(f("none"), "none") }, uint16(0), "", 0},
		{"a list", func() (any, *Problem) { l, p := List(f("ports"), "ports"); return len(l), p }, 2, "", 0},
		{"a mapping for a list", func() (any, *Problem) { l, p := List(f("nested"), "nested"); return len(l), p }, 0, "expected a list for nested, found a mapping", 10},
		{"a map of strings through an alias", func() (any, *Problem) { return StrMap(f("alias"), "alias") },
			map[string]string{"app": "reviews", "version": "v1"}, "", 0},
		{"a map holding a list", func() (any, *Problem) { return StrMap(f("nested"), "nested") }, map[string]string(nil),
			"expected a string for nested.a, found a list", 10},
		{"a string for a mapping", func() (any, *Problem) { return nil, Mapping(f("name"), "name") }, nil, `expected a mapping for name, found "reviews"`, 2},
		{"a long value, cut", func() (any, *Problem) { return Bool(f("long"), "long") }, false,
			`expected true or false for long, found "` + strings.Repeat("x", MaxQuoted) + `..."`, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := tt.read()
			if tt.problem == "" {
				require.Nil(t, p)
				assert.Equal(t, tt.want, got)
				return
			}
			require.NotNil(t, p)
			assert.Equal(t, tt.problem, p.Msg)
			assert.Equal(t, tt.line, p.Node.Line)
		})
	}
	assert.Equal(t, "spec.egress[2]", Indexed("spec.egress", 2))
}
