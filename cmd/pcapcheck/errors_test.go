package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorLines pins, in testdata/errors.golden, the one line a person gets
// for the usual mistakes: each says what is wrong in the user's words (no
// package prefix, no cobra phrasing) and what to do. Regenerate with
// go test ./cmd/pcapcheck -run TestErrorLines -update and review the diff.
func TestErrorLines(t *testing.T) {
	sidecar, err := filepath.Abs("testdata/egres-sidecar.yaml")
	require.NoError(t, err)
	golden, err := filepath.Abs("testdata/errors.golden")
	require.NoError(t, err)
	tests := [][]string{
		{"analyze"},
		{"analyze", "before/veth.pcap", "-o", "csv"},
		{"analyze", "before/veth.pcap", "--inventroy", "inventory"},
		{"analyze", "before/veth.pcap", "--inventory", "before/veth.pcap"},
		{"analyze", "inventory/shell1-kubectl.txt"},
		{"analyze", "before/veth.pcap", "--color", "sometimes"},
		{"analyze", "before/veth.pcap", "--sidecars", sidecar},
		{"compare", "before/veth.pcap", "after"},
		{"compare", "before/veth.pcap", "after/veth.pcap", "before/veth.pcap"},
		{"live", "-i", "lo", "--duration", "-1s"},
		{"live", "lo"},
		{"scope"},
		{"scope", "a", "b", "--inventory", "inventory"},
		{"scope", "my-shel", "--inventory", "cluster"},
	}
	var b strings.Builder
	for _, args := range tests {
		code, stdout, stderr := runIn(t, bookinfo, "", args...)
		assert.Empty(t, stdout, args)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		stderr = strings.ReplaceAll(stderr, filepath.Dir(sidecar), "testdata")
		command := strings.ReplaceAll(strings.Join(args, " "), filepath.Dir(sidecar), "testdata")
		fmt.Fprintf(&b, "$ pcapcheck %s\n%sexit %d\n\n", command, stderr, code)
	}
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String(), "testdata/errors.golden differs (-want +got); run go test -update and review the diff")
}
