package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCompletion: the shell completes -o, --color, -i and scope's POD with
// values, not file names (cobra's __complete is what the shell scripts of
// `pcapcheck completion` call).
func TestCompletion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // completions, in order, before the directive line
		has  string   // one completion that must be there (for -i, whose list is the machine's)
	}{
		{name: "analyze -o", args: []string{"analyze", "-o", ""}, want: []string{"table", "json", "yaml", "markdown", "html"}},
		{name: "check -o", args: []string{"check", "-o", ""}, want: []string{"table", "json", "yaml"}},
		{name: "compare --color", args: []string{"compare", "--color", ""}, want: []string{"auto", "never", "always"}},
		{name: "live -i", args: []string{"live", "-i", ""}, has: "lo"},
		{name: "scope POD from the inventory given", args: []string{"scope", "--inventory", "cluster", "--inventory", "inventory", "bookinfo/rev"},
			want: []string{"bookinfo/reviews-v1-5c4d6d447c-qwmbv", "bookinfo/reviews-v2-65cb66b45c-dtwjd", "bookinfo/reviews-v3-f68f94645-bmzrn"}},
		{name: "scope without an inventory", args: []string{"scope", ""}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, _ := runIn(t, bookinfo, "", append([]string{"__complete"}, tt.args...)...)
			assert.Equal(t, 0, code)
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			got := lines[:len(lines)-1] // the last line is cobra's directive, ":4"
			assert.Equal(t, ":4", lines[len(lines)-1], "no file names")
			if tt.has != "" {
				assert.Contains(t, got, tt.has)
				assert.Contains(t, got, "any")
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
