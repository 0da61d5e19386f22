package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestColorFlag checks --color and NO_COLOR on the table. Tests print into a
// buffer, which is no terminal, so auto never colors here.
func TestColorFlag(t *testing.T) {
	const yellow = "\x1b[1;33mpassthrough\x1b[0m"
	tests := []struct {
		name    string
		flags   []string
		noColor string
		colored bool
	}{
		{"auto into a pipe", nil, "", false},
		{"never", []string{"--color=never"}, "", false},
		{"always", []string{"--color=always"}, "", true},
		{"always beats NO_COLOR", []string{"--color", "always"}, "1", true},
		{"auto with NO_COLOR", []string{"--color=auto"}, "1", false},
		{"json is never colored", []string{"--color=always", "-o", "json"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			args := append([]string{"analyze", "after/veth.pcap", "--inventory", "inventory"}, tt.flags...)
			code, stdout, stderr := runIn(t, bookinfo, "", args...)
			assert.Equal(t, 0, code, stderr)
			assert.Equal(t, tt.colored, strings.Contains(stdout, yellow), stdout)
			if !tt.colored {
				assert.NotContains(t, stdout, "\x1b")
			}
		})
	}
	code, stdout, stderr := runIn(t, bookinfo, "", "compare", "before/veth.pcap", "after/veth.pcap", "--color=sometimes")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "pcapcheck: unknown color mode \"sometimes\", want one of auto, never, always\n", stderr)
}
