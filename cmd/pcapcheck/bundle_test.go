package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flowVerdicts is what TestInventoryBundle compares between two runs: each
// flow's verdict, the service it reached, the pod it was rewritten to and
// what Istio's configuration predicted for it.
type flowVerdicts struct {
	Flows []struct {
		Client, Server, Service, Verdict, Expected string
		ClientPod                                  string `json:"client_pod"`
		NATTo                                      string `json:"nat_to"`
		NATToPod                                   string `json:"nat_to_pod"`
	}
	Summary json.RawMessage
	Mesh    struct {
		Policy string `json:"outbound_traffic_policy"`
		Root   string `json:"root_namespace"`
	}
}

// TestInventoryBundle checks the inventory bundle (what `kubectl pcapcheck
// inventory` writes: one kubectl List with the pods, services, the Sidecar,
// the istio ConfigMap and my-shell's SidecarRegistry) against its oracle,
// the seed's hand-exported inventory: kubectl text, istioctl tables and the
// Sidecar and mesh config given by flag. Every capture must get the same
// flows, verdicts, services, pods and expected paths from both.
// fixtures/bookinfo/bundle/README.md says how the bundles were made.
func TestInventoryBundle(t *testing.T) {
	mesh := filepath.Join(t.TempDir(), "mesh.yaml")
	require.NoError(t, os.WriteFile(mesh, []byte("mesh: |\n  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n"), 0o644))
	tests := []struct {
		name    string
		capture string
		bundle  string
		hand    []string
	}{
		{"before veth", "before/veth.pcap", "bundle/before.json", append(beforeInv[:len(beforeInv):len(beforeInv)], "--mesh-config", mesh)},
		{"before seed text", "before/shell4-tcpdump.txt", "bundle/before.json", append(beforeInv[:len(beforeInv):len(beforeInv)], "--mesh-config", mesh)},
		{"after veth", "after/veth.pcap", "bundle/after.json", append(afterInv[:len(afterInv):len(afterInv)], "--mesh-config", mesh, "--sidecars", "sidecars/file1-default.yaml")},
		{"after any", "after/any.pcap", "bundle/after.json", append(afterInv[:len(afterInv):len(afterInv)], "--mesh-config", mesh, "--sidecars", "sidecars/file1-default.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			analyze := func(inv ...string) flowVerdicts {
				t.Helper()
				code, stdout, stderr := runIn(t, bookinfo, "", append([]string{"analyze", tt.capture, "-o", "json"}, inv...)...)
				require.Equal(t, 0, code, stderr)
				var v flowVerdicts
				require.NoError(t, json.Unmarshal([]byte(stdout), &v))
				return v
			}
			want := analyze(tt.hand...)
			got := analyze("--inventory", tt.bundle)
			require.NotEmpty(t, want.Flows)
			assert.Equal(t, want.Flows, got.Flows, "(-want +got): flows")
			assert.JSONEq(t, string(want.Summary), string(got.Summary), "(-want +got): summary")
			assert.Equal(t, want.Mesh, got.Mesh, "(-want +got): mesh config")
		})
	}
}

// TestInventoryBundleMesh checks that the bundle's Sidecar and mesh
// ConfigMap reach the report as --sidecars and --mesh-config do: the
// expected paths are predicted, and the registry names its proxy pod.
func TestInventoryBundleMesh(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "analyze", "after/any.pcap", "-o", "json", "--inventory", "bundle/after.json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Inventory struct {
			Registries []string
			Pods       int
		}
		Summary []struct{ Verdict, Expected string }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	assert.Equal(t, []string{"default/my-shell from bundle/after.json:405"}, doc.Inventory.Registries)
	assert.Equal(t, 7, doc.Inventory.Pods)
	require.NotEmpty(t, doc.Summary)
	for _, s := range doc.Summary {
		assert.Equal(t, "passthrough", s.Expected, "the Sidecar in the bundle scopes my-shell to its namespace")
	}
}
