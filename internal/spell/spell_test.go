package spell

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClosest(t *testing.T) {
	tests := []struct {
		name, word string
		candidates []string
		want       string
	}{
		{"one letter dropped", "egres", []string{"workloadSelector", "ingress", "egress"}, "egress"},
		{"transposed letters", "inventroy", []string{"inventory", "sidecars"}, "inventory"},
		{"case differs", "Egress", []string{"egress"}, "egress"},
		{"too far", "foo", []string{"egress", "ingress"}, ""},
		{"a short word needs one edit at most", "ab", []string{"xy"}, ""},
		{"pod name without namespace typo", "my-shel", []string{"default/my-shell", "my-shell"}, "my-shell"},
		{"nothing to choose from", "x", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Closest(tt.word, tt.candidates))
		})
	}
}
