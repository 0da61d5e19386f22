package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONForYAML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tab between tokens", "{\t\"a\":\t1}", `{ "a": 1}`},
		{"escaped tab stays", `{"a": "x\ty"}`, `{"a": "x\ty"}`},
		{"escaped slash", `{"a": "x\/y"}`, `{"a": "x/y"}`},
		{"surrogate pair", `{"a": "\ud83d\ude00"}`, `{"a": "\U0001F600"}`},
		{"lone surrogate", `{"a": "\ud83d!"}`, `{"a": "\uFFFD!"}`},
		{"escaped quote does not end the string", `{"a": "\"\/"}`, `{"a": "\"/"}`},
		{"escaped backslash before slash", `{"a": "\\/"}`, `{"a": "\\/"}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(jsonForYAML([]byte(tt.in))), tt.name)
	}
}

// A fuzz seed: JSON escapes that yaml.v3 does not read must not fail a
// valid file.
func TestParseJSONEscapes(t *testing.T) {
	inv, err := Parse("esc.json", []byte(`{"kind":"Pod","metadata":{"name":"a\/b","namespace":"\ud83d\ude00"},"status":{"podIP":"10.0.0.1"}}`))
	require.NoError(t, err)
	require.Len(t, inv.Pods, 1)
	assert.Equal(t, Ref{"😀", "a/b"}, inv.Pods[0].Ref)
}
