package istio

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// istioctlClusters returns the outbound clusters of an istioctl proxy-config
// endpoint listing, without the non-outbound ones (prometheus_stats), and
// their endpoints.
func istioctlClusters(t *testing.T, path string) map[string][]string {
	t.Helper()
	inv, err := inventory.Load(path)
	require.NoError(t, err)
	require.Len(t, inv.Registries, 1)
	out := map[string][]string{}
	for _, c := range inv.Registries[0].Clusters {
		if c.Direction != "outbound" {
			continue
		}
		for _, ep := range c.Endpoints {
			out[c.Name] = append(out[c.Name], ep.Addr.String())
		}
		slices.Sort(out[c.Name])
	}
	return out
}

func predictedClusters(s *Scope, inv *inventory.Inventory) map[string][]string {
	out := map[string][]string{}
	for _, c := range s.Clusters(inv) {
		out[c.Name] = []string{}
		for _, ep := range c.Endpoints {
			out[c.Name] = append(out[c.Name], ep.String())
		}
	}
	return out
}

// TestSeedShell5 is the acceptance test: with File 1 applied, the
// predicted registry of my-shell's sidecar is exactly Shell 5's outbound
// clusters, endpoints included.
func TestSeedShell5(t *testing.T) {
	inv := seedInventory(t)
	cfg := loadConfig(t, filepath.Join(bookinfo, "sidecars/file1-default.yaml"))
	s := cfg.ScopeFor(pod(t, inv, "default", "my-shell"), inv.Services)
	require.NotNil(t, s.Sidecar)
	assert.Equal(t, "default/default", s.Sidecar.Ref.String())
	assert.Empty(t, s.Warnings)

	want := istioctlClusters(t, filepath.Join(bookinfo, "after/shell5-istioctl.txt"))
	assert.Len(t, want, 11, "Shell 5's outbound clusters")
	assert.Equal(t, want, predictedClusters(s, inv), "(-want +got) Shell 5")
}

// TestSeedShell3: with no Sidecar, my-shell's sidecar knows every service of
// the cluster. Shell 3 was cut with "...", so every cluster it shows must be
// predicted; the fixture inventory holds only what it shows, so the
// prediction is exactly that too.
func TestSeedShell3(t *testing.T) {
	inv := seedInventory(t)
	s := (&Config{}).ScopeFor(pod(t, inv, "default", "my-shell"), inv.Services)
	assert.Nil(t, s.Sidecar)
	shown := istioctlClusters(t, filepath.Join(bookinfo, "before/shell3-istioctl.txt"))
	got := predictedClusters(s, inv)
	for name, eps := range shown {
		assert.Equal(t, eps, got[name], "cluster %s of Shell 3", name)
	}
	assert.Len(t, got, len(shown), "clusters beyond Shell 3's: %v", got)
	assert.Equal(t, AllowAny, s.Policy)
}

// TestSeedFile2: File 2's workloadSelector app=reviews leaves my-shell
// (run=my-shell) without Sidecar, and applies to a pod of the default
// namespace labelled app=reviews. The bookinfo reviews pods are not
// selected: a Sidecar applies only in its own namespace.
// Source: https://istio.io/latest/docs/reference/config/networking/sidecar/
// ("A Sidecar configuration in a namespace will apply to one or more
// workload instances in the same namespace, selected using the
// workloadSelector field").
func TestSeedFile2(t *testing.T) {
	inv := seedInventory(t)
	cfg := loadConfig(t, filepath.Join(bookinfo, "sidecars/file2-workload-selector.yaml"))

	shell := cfg.ScopeFor(pod(t, inv, "default", "my-shell"), inv.Services)
	assert.Nil(t, shell.Sidecar, shell.Why)
	assert.Contains(t, importedNames(shell), "bookinfo/reviews", "no Sidecar: every service")

	reviews := &inventory.Pod{Ref: inventory.Ref{Namespace: "default", Name: "reviews-v9-abc"}, Labels: map[string]string{"app": "reviews", "version": "v9"}}
	s := cfg.ScopeFor(reviews, inv.Services)
	require.NotNil(t, s.Sidecar)
	assert.Contains(t, s.Why, "workloadSelector app=reviews matches")
	assert.NotContains(t, importedNames(s), "bookinfo/reviews")
	assert.Contains(t, importedNames(s), "istio-system/istiod")

	bookinfoReviews := cfg.ScopeFor(pod(t, inv, "bookinfo", "reviews-v1-5c4d6d447c-qwmbv"), inv.Services)
	assert.Nil(t, bookinfoReviews.Sidecar, "File 2 is in namespace default")
}

// TestSeedFile3: the seed's File 3 (the istio ConfigMap's mesh key) makes
// REGISTRY_ONLY the policy of every sidecar that does not set its own.
func TestSeedFile3(t *testing.T) {
	inv := seedInventory(t)
	cfg := loadConfig(t, filepath.Join(bookinfo, "sidecars/file1-default.yaml"), filepath.Join(bookinfo, "sidecars/file3-mesh-config.yaml"))
	require.NotNil(t, cfg.Mesh)
	assert.Equal(t, "../../fixtures/bookinfo/sidecars/file3-mesh-config.yaml:1", cfg.Mesh.From.String())
	s := cfg.ScopeFor(pod(t, inv, "default", "my-shell"), inv.Services)
	assert.Equal(t, RegistryOnly, s.Policy)
	exp, ok := s.Expect(Destination{Service: inventory.Ref{Namespace: "bookinfo", Name: "reviews"}, Port: 9080, Proto: capture.TCP}, inventory.Unknown, false)
	require.True(t, ok)
	assert.Equal(t, report.ExpectBlocked, exp.Path, exp.Why)
}
