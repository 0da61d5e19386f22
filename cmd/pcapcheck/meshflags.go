package main

import (
	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
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
func (m *meshFlags) load(inventoryPaths []string) (*inventory.Inventory, *istio.Config, error) {
	cfg := &istio.Config{}
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
func predict(r *engine.Report, inv *inventory.Inventory, cfg *istio.Config) {
	if !cfg.Empty() {
		istio.Annotate(r, inv, cfg)
	}
}
