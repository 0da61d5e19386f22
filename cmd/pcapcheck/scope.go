package main

import (
	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/spf13/cobra"
)

// scopeCmd holds the flags of `pcapcheck scope`.
type scopeCmd struct {
	inventory []string
	mesh      meshFlags
	out       outputFlags
}

func newScopeCmd() *cobra.Command {
	c := &scopeCmd{}
	cmd := &cobra.Command{
		Use:   "scope POD --inventory PATH... [--sidecars PATH]...",
		Short: "Predict what a pod's sidecar knows, from Sidecars and mesh config",
		Long: `scope decides which Sidecar applies to POD (namespace/name, name.namespace, or a name
unique in the inventory) as istiod does, and lists the outbound clusters its sidecar
gets, with their endpoints when the inventory tells them. Compare it with
istioctl proxy-config endpoint POD.`,
		Example: `  pcapcheck scope default/my-shell --inventory inventory/ \
      --sidecars sidecars.yaml
  pcapcheck scope my-shell.default --inventory inventory/ \
      --mesh-config istio-configmap.yaml -o json`,
		Args:              usageArgs(cobra.ExactArgs(1), "one pod (NAMESPACE/NAME or NAME)"),
		ValidArgsFunction: completePods,
		RunE:              c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output; Sidecars and mesh configs in it are read too); repeatable")
	f.StringVarP(&c.out.format, "output", "o", "table", "output format: table, json, yaml")
	completeOutput(cmd, []string{"table", "json", "yaml"})
	c.mesh.bind(cmd)
	return cmd
}

func (c *scopeCmd) run(cmd *cobra.Command, args []string) error {
	r, err := c.out.renderer(render.ScopeDocument)
	if err != nil {
		return err
	}
	cl, err := c.mesh.load(c.inventory)
	if err != nil {
		return err
	}
	pod, warnings, err := cl.idx.FindPod(args[0])
	if err != nil {
		return badInput(err)
	}
	warnings = append(cl.cfg.Warnings, warnings...)
	return r.Scope(cmd.OutOrStdout(), cl.cfg.ScopeFor(pod, cl.inv.Services).Report(pod, cl.inv, warnings))
}
