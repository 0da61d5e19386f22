package main

import (
	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/analyze"
	"github.com/pcapcheck/pcapcheck/analyze/inventory"
	"github.com/pcapcheck/pcapcheck/analyze/mesh"
)

// meshFlags are the flags that give Istio's configuration: the Sidecar
// objects and the mesh config the expected paths are predicted from.
type meshFlags struct {
	sidecars   []string
	meshConfig []string
}

func (m *meshFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&m.sidecars, "sidecars", nil,
		"Istio Sidecar objects (kubectl get sidecars -A -o yaml, or manifests), a file or directory; repeatable")
	f.StringArrayVar(&m.meshConfig, "mesh-config", nil,
		"Istio mesh config: the istio ConfigMap, its mesh: key, a MeshConfig, or meshConfig: of IstioOperator or Helm values; repeatable")
}

// load reads the inventory, taking the Sidecar objects and mesh configs it
// holds, then the files of --sidecars and --mesh-config. Any error is bad
// input.
func (m *meshFlags) load(inventoryPaths []string) (*inventory.Inventory, *mesh.Config, error) {
	cfg := &mesh.Config{}
	inv := &inventory.Inventory{}
	if len(inventoryPaths) > 0 {
		var err error
		if inv, err = inventory.LoadWith(inventory.Options{Documents: cfg.Take}, inventoryPaths...); err != nil {
			return nil, nil, badInput(err)
		}
	}
	for _, paths := range [][]string{m.sidecars, m.meshConfig} {
		if err := cfg.Load(paths...); err != nil {
			return nil, nil, badInput(err)
		}
	}
	cfg.Finish()
	return inv, cfg, nil
}

// predict writes the expected paths into the report when there is Istio
// configuration to predict them from.
func predict(r *analyze.Report, inv *inventory.Inventory, cfg *mesh.Config) {
	if !cfg.Empty() {
		mesh.Annotate(r, inv, cfg)
	}
}
