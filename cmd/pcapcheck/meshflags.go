package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/incluster"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
)

// meshFlags are the flags that give Istio's configuration: the Sidecar
// objects and the mesh config the expected paths are predicted from.
type meshFlags struct {
	sidecars   []string
	meshConfig []string
	entries    []string
	version    versionFlag
}

// versionFlag is --istio-version, parsed by istio.ParseVersion.
type versionFlag struct{ v istio.Version }

func (f *versionFlag) String() string {
	if !f.v.IsValid() {
		return ""
	}
	return f.v.String()
}

func (f *versionFlag) Set(s string) error {
	v, err := istio.ParseVersion(s)
	if err != nil {
		return err
	}
	f.v = v
	return nil
}

func (f *versionFlag) Type() string { return "X.Y" }

func (m *meshFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&m.sidecars, "sidecars", nil,
		"Istio Sidecar objects (kubectl get sidecars -A -o yaml, or manifests), a file or directory; repeatable")
	f.StringArrayVar(&m.meshConfig, "mesh-config", nil,
		"Istio mesh config: the istio ConfigMap, its mesh: key, a MeshConfig, or meshConfig: of IstioOperator or Helm values; repeatable")
	f.StringArrayVar(&m.entries, "service-entries", nil,
		"Istio ServiceEntry objects (kubectl get serviceentries -A -o yaml, or manifests), a file or directory; repeatable")
	f.Var(&m.version, "istio-version",
		"Istio release to predict for (1.30, 1.31); default: istiod's or the proxies' image tag in the inventory, else "+istio.Latest.String())
}

// cluster is what the inventory flags say: the inventory, its index (built
// once a run), and the Istio configuration.
type cluster struct {
	inv *inventory.Inventory
	idx *inventory.Index // nil for an empty inventory
	cfg *istio.Config
}

// load reads the inventory, taking the Sidecar objects and mesh configs it
// holds, then the files of --sidecars and --mesh-config. Any error is bad
// input.
func (m *meshFlags) load(inventoryPaths []string) (*cluster, error) {
	cfg := &istio.Config{}
	inv := &inventory.Inventory{}
	if len(inventoryPaths) > 0 {
		var err error
		if inv, err = inventory.LoadWith(inventory.Options{Documents: cfg.Take}, inventoryPaths...); err != nil {
			return nil, badInput(err)
		}
	}
	if err := cfg.Load(append(slices.Clone(m.sidecars), m.entries...)...); err != nil {
		return nil, badInput(err)
	}
	if err := cfg.LoadMesh(m.meshConfig...); err != nil {
		return nil, badInput(err)
	}
	cfg.Finish()
	if m.version.v.IsValid() {
		cfg.Version, cfg.VersionFrom = m.version.v, "--istio-version"
	} else {
		cfg.SetVersionFromInventory(inv)
	}
	c := &cluster{inv: inv, cfg: cfg}
	if !inv.Empty() {
		c.idx = inv.Index()
	}
	return c, nil
}

// annotators predict the expected paths when there is Istio configuration
// to predict them from, or when always is set.
func (c *cluster) annotators(always bool) []engine.Annotator {
	if c.cfg.Empty() && !always {
		return nil
	}
	return []engine.Annotator{istio.Annotator(c.inv, c.idx, c.cfg)}
}

// loadAPI reads the inventory and Istio's configuration from the API
// server, then the files of --sidecars, --service-entries and
// --mesh-config on top.
func (m *meshFlags) loadAPI(ctx context.Context, client *incluster.Client) (*cluster, error) {
	snap, err := client.Load(ctx)
	if err != nil {
		return nil, err
	}
	cfg, inv := snap.Istio, snap.Inventory
	if err := cfg.Load(append(slices.Clone(m.sidecars), m.entries...)...); err != nil {
		return nil, badInput(err)
	}
	if err := cfg.LoadMesh(m.meshConfig...); err != nil {
		return nil, badInput(err)
	}
	if m.version.v.IsValid() {
		cfg.Version, cfg.VersionFrom = m.version.v, "--istio-version"
	}
	c := &cluster{inv: inv, cfg: cfg}
	if !inv.Empty() {
		c.idx = inv.Index()
	}
	return c, nil
}
