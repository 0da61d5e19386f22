package source

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorFormat(t *testing.T) {
	errBad := errors.New("bad")
	inner := Errorf(errBad, "expected %s, found %q", "x", "y")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"line and column", &Error{Prefix: "inventory", Path: "a.txt", Line: 3, Column: 7, Err: inner}, `inventory: a.txt:3:7: expected x, found "y"`},
		{"line only", &Error{Prefix: "mesh", Path: "a.txt", Line: 3, Err: inner}, `mesh: a.txt:3: expected x, found "y"`},
		{"the file as a whole", &Error{Prefix: "check", Path: "a.txt", Column: 7, Err: inner}, `check: a.txt: expected x, found "y"`},
		{"no reader named yet", &Error{Path: "a.txt", Line: 1, Column: 2, Err: inner}, `a.txt:1:2: expected x, found "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, tt.err, errBad, "the sentinel behind the message")
		})
	}
}

func TestWhere(t *testing.T) {
	assert.Equal(t, "pods.yaml:12:5", Where("pods.yaml", 12, 5))
	assert.Equal(t, "pods.txt:3", Where("pods.txt", 3, 0))
	assert.Equal(t, "pods.json", Where("pods.json", 0, 7))
}
