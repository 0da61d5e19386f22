package istio

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadBundle reads the seed's inventory bundle after File 1: the
// Sidecar, the mesh ConfigMap and my-shell's registry all come from the
// one file.
func TestReadBundle(t *testing.T) {
	const path = "../../fixtures/bookinfo/bundle/after.json"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	inv, cfg, err := ReadBundle(path, data)
	require.NoError(t, err)
	assert.Len(t, inv.Pods, 7)
	assert.Len(t, inv.Services, 4)
	require.Len(t, inv.Registries, 1)
	assert.Equal(t, "default/my-shell", inv.Registries[0].Proxy.String())
	require.Len(t, cfg.Sidecars, 1)
	assert.Equal(t, "default/default", cfg.Sidecars[0].Ref.String())
	assert.False(t, cfg.Empty())
	assert.Equal(t, "1.31", cfg.Version.String())

	_, _, err = ReadBundle("bad.json", []byte(`{"kind":"List","items":[{"kind":"Sidecar","metadata":{"name":"a"},"spec":{"egres":[]}}]}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.json:1")
}
