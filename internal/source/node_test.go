package source

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestWalk(t *testing.T) {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(`
base: &b {port: 9080, name: http}
svc:
  spec: *b
  empty: null
  target_port: 8080
`), &doc))
	root := doc.Content[0]
	tests := []struct {
		name string
		got  *yaml.Node
		want string // the scalar's value, or "<nil>"
	}{
		{"a nested key", At(root, "svc", "target_port"), "8080"},
		{"through an alias", At(root, "svc", "spec", "port"), "9080"},
		{"a missing key", At(root, "svc", "nope", "port"), "<nil>"},
		{"a key of a scalar", Field(At(root, "svc", "target_port"), "x"), "<nil>"},
		{"the first spelling present", FieldOf(At(root, "svc"), "targetPort", "target_port"), "8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := "<nil>"
			if tt.got != nil {
				got = tt.got.Value
			}
			assert.Equal(t, tt.want, got)
		})
	}
	assert.True(t, IsNull(At(root, "svc", "empty")))
	assert.True(t, IsNull(At(root, "svc", "missing")))
	assert.False(t, IsNull(At(root, "svc", "target_port")))
}

// TestAliasChainIsBounded: an alias pointing at itself (which a crafted
// node tree can hold) resolves to nil instead of looping.
func TestAliasChainIsBounded(t *testing.T) {
	n := &yaml.Node{Kind: yaml.AliasNode}
	n.Alias = n
	assert.Nil(t, Resolve(n))
}
