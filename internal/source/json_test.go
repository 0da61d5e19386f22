package source

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
