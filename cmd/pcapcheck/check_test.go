package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckFixtures checks the repository's own captures against their
// expectations files, as a user's CI would: fixtures/bookinfo/expect.yaml
// for the captures after File 1, expect-before.yaml for those before it.
func TestCheckFixtures(t *testing.T) {
	after := []string{"--inventory", "inventory", "--inventory", "after/shell5-istioctl.txt", "--sidecars", "sidecars/file1-default.yaml", "--expect", "expect.yaml"}
	before := []string{"--inventory", "inventory", "--inventory", "before/shell3-istioctl.txt", "--expect", "expect-before.yaml"}
	tests := []struct {
		capture string
		flags   []string
	}{
		{"after/veth.pcap", after},
		{"after/any.pcap", after},
		{"after/shell6-tcpdump.txt", after},
		{"before/veth.pcap", before},
		{"before/veth.pcapng", before},
		{"before/shell4-tcpdump.txt", before},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", append([]string{"check", tt.capture}, tt.flags...)...)
			assert.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
			assert.Empty(t, stderr)
			assert.True(t, strings.HasPrefix(stdout, "ok: 4 rules hold for "), stdout)
		})
	}
}

// TestCheckCatchesWrongExpectation: an expectation the capture breaks
// exits 1 with one readable line per violating flow, naming the flow, the
// rule's file:line and what was seen.
func TestCheckCatchesWrongExpectation(t *testing.T) {
	dir := t.TempDir()
	wrong := filepath.Join(dir, "wrong.yaml")
	require.NoError(t, os.WriteFile(wrong, []byte("# my-shell should still be in the mesh\n- {from: default/my-shell, to: bookinfo/reviews, verdict: sidecar-dnat}\n"), 0o644))
	code, stdout, stderr := runIn(t, bookinfo, "", "check", "after/any.pcap", "--inventory", "inventory", "--expect", wrong)
	assert.Equal(t, 1, code)
	assert.Empty(t, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 4, stdout)
	assert.Equal(t, "FAIL "+wrong+":2: default/my-shell → bookinfo/reviews (tcp 10.244.2.34:42122 → 10.96.209.151:9080): want verdict sidecar-dnat, saw passthrough (rule {from: default/my-shell, to: bookinfo/reviews, verdict: sidecar-dnat})", lines[0])
	assert.Equal(t, "3 violations of 1 rule in 3 flows ("+wrong+")", lines[3])

	// The same as JSON, for machines.
	code, stdout, _ = runIn(t, bookinfo, "", "check", "after/any.pcap", "--inventory", "inventory", "--expect", wrong, "-o", "json")
	assert.Equal(t, 1, code)
	var res struct {
		OK         bool
		Violations []struct{ Rule, Client, Destination, Want, Saw string }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.False(t, res.OK)
	require.Len(t, res.Violations, 3)
	assert.Equal(t, wrong+":2", res.Violations[0].Rule)
	assert.Equal(t, "passthrough", res.Violations[0].Saw)
}

// TestCheckSidecarNotReceived: the story the issue starts from, seen by
// check: File 1 is given, yet the capture still shows my-shell's sidecar
// picking reviews pods (the proxy has not received it).
func TestCheckSidecarNotReceived(t *testing.T) {
	code, stdout, _ := runIn(t, bookinfo, "", "check", "before/veth.pcap", "--inventory", "inventory",
		"--sidecars", "sidecars/file1-default.yaml", "--expect", "expect.yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "expect.yaml:19: default/my-shell → bookinfo/reviews (tcp 10.244.2.34:44644 → 10.244.2.32:9080): want the expected path passthrough, saw sidecar-dnat")
	assert.Contains(t, stdout, "the proxy has not received this configuration yet")
}

func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no expect", []string{"check", "after/any.pcap"}, "check needs --expect FILE"},
		{"missing expect", []string{"check", "after/any.pcap", "--expect", filepath.Join(dir, "none.yaml")}, "none.yaml: cannot read"},
		{"unknown key", []string{"check", "after/any.pcap", "--expect", write("typo.yaml", "- from: a\n  verdcit: passthrough\n")}, `typo.yaml:2:3: unknown key "verdcit"`},
		{"unknown verdict", []string{"check", "after/any.pcap", "--expect", write("v.yaml", "- {verdict: in-mesh}\n")}, `v.yaml:1:13: verdict: unknown verdict "in-mesh"`},
		{"no assertion", []string{"check", "after/any.pcap", "--expect", write("n.yaml", "- {from: a, to: b}\n")}, "n.yaml:1:3: rule asserts nothing"},
		{"not YAML", []string{"check", "after/any.pcap", "--expect", write("y.yaml", "- {from: [\n")}, "y.yaml:2: malformed YAML"},
		{"bad format", []string{"check", "after/any.pcap", "--expect", "expect.yaml", "-o", "xml"}, `unknown output format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", tt.args...)
			assert.Equal(t, 2, code, stdout)
			assert.Contains(t, stderr, tt.stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		})
	}
}
