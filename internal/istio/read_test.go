package istio

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// TestReadForms: every form Sidecars and mesh configs are kept in.
func TestReadForms(t *testing.T) {
	tests := []struct {
		name, file, text string
		sidecars         []string
		policy           Policy
		root             string
	}{
		{"the seed's File 1", "f1.yaml", "", []string{"default/default"}, PolicyUnset, ""},
		{"kubectl get sidecars -A -o yaml: a List of v1beta1 and v1alpha3", "list.yaml",
			"apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1beta1\n  kind: Sidecar\n  metadata: {name: a, namespace: x, creationTimestamp: \"2024-01-01T00:00:00Z\"}\n  spec: {}\n- apiVersion: networking.istio.io/v1alpha3\n  kind: Sidecar\n  metadata: {name: b, namespace: y}\n  spec: {egress: [{hosts: [\"*/*\"]}]}\n",
			[]string{"x/a", "y/b"}, PolicyUnset, ""},
		{"kubectl -o json", "s.json",
			`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"a","namespace":"x"},"spec":{"egress":[{"hosts":["./*"]}]}}]}`,
			[]string{"x/a"}, PolicyUnset, ""},
		{"the istio ConfigMap", "cm.yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    rootNamespace: istio-config\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n  meshNetworks: 'networks: {}'\n",
			nil, RegistryOnly, "istio-config"},
		{"the istio ConfigMap as JSON", "cm.json",
			`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"istio"},"data":{"mesh":"outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"}}`,
			nil, RegistryOnly, ""},
		{"the seed's File 3: the mesh key alone", "f3.yaml", "", nil, RegistryOnly, ""},
		{"the mesh key as a mapping", "m.yaml", "mesh:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n", nil, RegistryOnly, ""},
		{"a bare MeshConfig", "mesh.yaml", "rootNamespace: istio-config\naccessLogFile: /dev/stdout\n", nil, PolicyUnset, "istio-config"},
		{"IstioOperator spec.meshConfig", "iop.yaml",
			"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    outboundTrafficPolicy: {mode: ALLOW_ANY}\n", nil, AllowAny, ""},
		{"Helm values meshConfig", "values.yaml", "global: {hub: docker.io/istio}\nmeshConfig:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n", nil, RegistryOnly, ""},
		{"Helm values: meshConfig under values", "values.yaml", "values:\n  global: {hub: docker.io/istio}\n  meshConfig:\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n", nil, RegistryOnly, ""},
		{"IstioOperator spec.values.meshConfig", "iop.yaml",
			"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n    meshConfig:\n      outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n", nil, RegistryOnly, ""},
		{"Sidecars and the mesh config in one file", "all.yaml",
			"apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\n---\nmesh: |\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n",
			[]string{"x/a"}, RegistryOnly, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg *Config
			switch tt.file {
			case "f1.yaml":
				cfg = loadConfig(t, filepath.Join(bookinfo, "sidecars/file1-default.yaml"))
			case "f3.yaml":
				cfg = loadConfig(t, filepath.Join(bookinfo, "sidecars/file3-mesh-config.yaml"))
			default:
				var err error
				cfg, err = configOf(t, tt.file, tt.text)
				require.NoError(t, err)
			}
			var got []string
			for _, sc := range cfg.Sidecars {
				got = append(got, sc.Ref.String())
			}
			assert.Equal(t, tt.sidecars, got)
			if tt.policy != PolicyUnset || tt.root != "" {
				require.NotNil(t, cfg.Mesh)
				assert.Equal(t, tt.policy, cfg.Mesh.OutboundPolicy)
				assert.Equal(t, tt.root, cfg.Mesh.RootNamespace)
			}
		})
	}
}

// TestReadErrors: a bad value is an error at its file, line and column.
func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, text string
		is         error
		msg        string
	}{
		{"a host without /", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress:\n  - hosts:\n    - reviews\n",
			ErrInvalid, `mesh: bad.yaml:7:7: spec.egress[0].hosts[0]: expected namespace/dnsName ("./*", "istio-system/*", "prod/reviews.prod.svc.cluster.local"), found "reviews"`},
		{"an unknown mode", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  outboundTrafficPolicy:\n    mode: DENY\n",
			ErrInvalid, `mesh: bad.yaml:6:11: spec.outboundTrafficPolicy.mode: expected ALLOW_ANY or REGISTRY_ONLY, found "DENY"`},
		{"an unknown mode in the mesh key", "mesh: |-\n  rootNamespace: x\n  outboundTrafficPolicy:\n    mode: NONE\n",
			ErrInvalid, `mesh: bad.yaml:4: mesh: outboundTrafficPolicy.mode: expected ALLOW_ANY or REGISTRY_ONLY, found "NONE"`},
		{"malformed YAML in the mesh key", "mesh: |-\n  outboundTrafficPolicy: [\n",
			ErrInvalid, `mesh: bad.yaml:2: malformed YAML in mesh: did not find expected node content`},
		{"egress not a list", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress: {hosts: [\"*/*\"]}\n",
			ErrInvalid, `mesh: bad.yaml:5:11: expected a list for spec.egress, found a mapping`},
		{"a listener without hosts", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress:\n  - port: {number: 80}\n",
			ErrInvalid, `mesh: bad.yaml:6:5: expected at least one host in spec.egress[0].hosts, as Istio's validation requires`},
		{"a misspelled field", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egres:\n  - hosts: [\"./*\"]\n",
			ErrInvalid, `mesh: bad.yaml:5:3: unknown field spec.egres in a Sidecar (kubectl apply rejects it): expected one of workloadSelector, ingress, egress, outboundTrafficPolicy, inboundConnectionPool; did you mean egress?`},
		{"a misspelled field of a listener", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress:\n  - host: [\"./*\"]\n",
			ErrInvalid, `mesh: bad.yaml:6:5: unknown field spec.egress[0].host in a Sidecar (kubectl apply rejects it): expected one of port, bind, captureMode, hosts; did you mean hosts?`},
		{"a Sidecar of another group", "apiVersion: example.com/v1\nkind: Sidecar\nmetadata: {name: a, namespace: x}\n",
			ErrInvalid, `mesh: bad.yaml:1:13: expected apiVersion networking.istio.io/v1, v1beta1 or v1alpha3 for a Sidecar, found "example.com/v1"`},
		{"no Istio configuration", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
			ErrNoConfig, `mesh: bad.yaml: holds no Sidecar objects or mesh config: expected kind: Sidecar, the istio ConfigMap, a mesh: key or a MeshConfig`},
		{"not YAML at all", "NAME READY\n", ErrNoConfig, "mesh: bad.yaml: holds no Sidecar objects or mesh config"},
		{"malformed YAML", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a\n", inventory.ErrSyntax, "mesh: bad.yaml:3: malformed YAML: did not find expected ',' or '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := configOf(t, "bad.yaml", tt.text)
			require.Error(t, err)
			var e *source.Error
			require.True(t, errors.As(err, &e), "%T %v", err, err)
			assert.ErrorIs(t, err, tt.is)
			e.Path = filepath.Base(e.Path)
			assert.Contains(t, e.Error(), tt.msg)
		})
	}
}

// TestInventoryDirectory: Sidecars and mesh configs in an --inventory
// directory are taken, not warned about; the listings are read as before.
func TestInventoryDirectory(t *testing.T) {
	cfg := &Config{}
	inv, err := inventory.LoadWith(inventory.Options{Documents: cfg.Take}, filepath.Join(bookinfo, "inventory"), filepath.Join(bookinfo, "sidecars/file1-default.yaml"), filepath.Join(bookinfo, "sidecars/file3-mesh-config.yaml"))
	require.NoError(t, err)
	cfg.Finish()
	assert.Empty(t, inv.Warnings)
	assert.Len(t, cfg.Sidecars, 1)
	require.NotNil(t, cfg.Mesh)
	assert.Len(t, inv.Pods, 7)
	assert.Equal(t, inventory.KindIstioConfig, inv.Files[len(inv.Files)-1].Kind)

	// Without the hook the inventory skips them as before.
	inv, err = inventory.Load(filepath.Join(bookinfo, "sidecars"))
	require.NoError(t, err)
	assert.Len(t, inv.Warnings, 3)
}

// TestReadTwice: a Sidecar read from two files is kept once, with a
// warning naming both; the seed's File 1 and File 2 are both default/default.
func TestReadTwice(t *testing.T) {
	cfg := loadConfig(t, filepath.Join(bookinfo, "sidecars"))
	require.Len(t, cfg.Sidecars, 1)
	assert.NotNil(t, cfg.Sidecars[0].Selector, "file2 is read after file1")
	require.Len(t, cfg.Warnings, 1)
	assert.Contains(t, cfg.Warnings[0], "Sidecar default/default read twice")
}
