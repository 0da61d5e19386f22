package istio

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// bookinfo is the seed's fixtures, relative to this package.
const bookinfo = "../../fixtures/bookinfo"

// seedInventory is Shell 1's listing plus the rest of the kind cluster
// (fixtures/bookinfo/cluster: istio-system and kube-system, pod labels).
func seedInventory(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Load(filepath.Join(bookinfo, "inventory"), filepath.Join(bookinfo, "cluster"))
	require.NoError(t, err)
	return inv
}

// loadConfig reads Istio configuration from files.
func loadConfig(t testing.TB, paths ...string) *Config {
	t.Helper()
	cfg := &Config{}
	require.NoError(t, cfg.Load(paths...))
	return cfg
}

// configOf reads Istio configuration from YAML text, saved as file name.
func configOf(t testing.TB, name, text string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	cfg := &Config{}
	return cfg, cfg.Load(path)
}

// mustConfig is configOf that fails the test on error.
func mustConfig(t testing.TB, text string) *Config {
	t.Helper()
	cfg, err := configOf(t, "config.yaml", text)
	require.NoError(t, err)
	return cfg
}

// pod finds a pod of the inventory.
func pod(t testing.TB, inv *inventory.Inventory, ns, name string) *inventory.Pod {
	t.Helper()
	p := inv.Index().Pod(inventory.Ref{Namespace: ns, Name: name})
	require.NotNil(t, p, "pod %s/%s", ns, name)
	return p
}

// svc makes a service with TCP ports.
func svc(ns, name string, ports ...uint16) *inventory.Service {
	s := &inventory.Service{Ref: inventory.Ref{Namespace: ns, Name: name}}
	for _, p := range ports {
		s.Ports = append(s.Ports, inventory.ServicePort{Port: p, Protocol: "TCP"})
	}
	return s
}

// importedNames lists a scope's imports as namespace/name.
func importedNames(s *Scope) []string {
	out := []string{}
	for _, imp := range s.Imports {
		out = append(out, imp.Service.Ref.String())
	}
	return out
}
