package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type expectedDoc struct {
	Mesh *struct {
		Sidecars []string
	}
	Flows []struct {
		Verdict, Expected string
		ExpectedWhy       string `json:"expected_why"`
	}
	Summary []struct {
		Verdict, Expected string
	}
	Warnings []string
}

// TestCompareSidecarsPerSide: File 1 given for the after side only (in its
// inventory); the before side is predicted with the default scope. Each
// side's flows took the predicted path.
func TestCompareSidecarsPerSide(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "compare", "before/veth.pcap", "after/veth.pcap", "--inventory", "inventory",
		"--after-inventory", "sidecars/file1-default.yaml", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc struct{ Before, After expectedDoc }
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	for side, want := range map[string]struct {
		d    expectedDoc
		path string
	}{"before": {doc.Before, "sidecar-dnat"}, "after": {doc.After, "passthrough"}} {
		require.NotNil(t, want.d.Mesh, side)
		require.NotEmpty(t, want.d.Flows, side)
		for _, f := range want.d.Flows {
			assert.Equal(t, want.path, f.Verdict, side)
			assert.Equal(t, want.path, f.Expected, side)
			assert.Empty(t, f.ExpectedWhy, side)
		}
		assert.Equal(t, want.path, want.d.Summary[0].Expected, side)
	}
	assert.Empty(t, doc.Before.Mesh.Sidecars)
	assert.Equal(t, []string{"default/default from sidecars/file1-default.yaml:1"}, doc.After.Mesh.Sidecars)
}

// TestAnalyzeSidecarsMismatch: File 1 against the before capture: every
// flow is expected passthrough but observed sidecar-dnat, explained, and a
// warning says so in every format.
func TestAnalyzeSidecarsMismatch(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "analyze", "before/veth.pcap", "--inventory", "inventory",
		"--inventory", "before/shell3-istioctl.txt", "--sidecars", "sidecars/file1-default.yaml", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var doc expectedDoc
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	for _, f := range doc.Flows {
		assert.Equal(t, "sidecar-dnat", f.Verdict)
		assert.Equal(t, "passthrough", f.Expected)
		assert.Contains(t, f.ExpectedWhy, "do not import bookinfo/reviews")
		assert.Contains(t, f.ExpectedWhy, "the proxy has not received this configuration yet")
	}
	assert.Contains(t, doc.Warnings[len(doc.Warnings)-1], "default/my-shell → bookinfo/reviews: observed sidecar-dnat, expected passthrough: ")

	code, stdout, _ = runIn(t, bookinfo, "", "analyze", "before/veth.pcap", "--inventory", "inventory", "--sidecars", "sidecars/file1-default.yaml")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "observed sidecar-dnat, expected passthrough")
}

// TestSidecarsBadInput: a malformed Sidecar is bad input, named by file and
// line.
func TestSidecarsBadInput(t *testing.T) {
	code, _, stderr := runIn(t, bookinfo, "", "analyze", "after/veth.pcap", "--sidecars", "inventory/shell1-kubectl.txt")
	assert.Equal(t, 2, code)
	assert.Equal(t, "pcapcheck: inventory/shell1-kubectl.txt: holds no Sidecar objects or mesh config: expected kind: Sidecar, the istio ConfigMap, a mesh: key or a MeshConfig\n", stderr)
}
