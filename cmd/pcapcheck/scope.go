package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// scopeCmd holds the flags of `pcapcheck scope`.
type scopeCmd struct {
	inventory []string
	mesh      meshFlags
	format    string
}

func newScopeCmd() *cobra.Command {
	c := &scopeCmd{}
	cmd := &cobra.Command{
		Use:   "scope POD --inventory PATH... [--sidecars PATH]... [--mesh-config PATH]...",
		Short: "Predict the registry of a pod's sidecar from the Sidecar objects and mesh config, as istioctl proxy-config endpoint would show it",
		Long: `scope decides which Sidecar applies to POD (namespace/name, name.namespace, or a name
unique in the inventory) as istiod does, and lists the outbound clusters its sidecar
gets, with their endpoints when the inventory tells them. Compare it with
istioctl proxy-config endpoint POD.`,
		Example: `  pcapcheck scope default/my-shell --inventory inventory/ --sidecars sidecars.yaml
  pcapcheck scope my-shell.default --inventory inventory/ --mesh-config istio-configmap.yaml -o json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output; Sidecars and mesh configs in it are read too); repeatable")
	f.StringVarP(&c.format, "output", "o", "table", "output format: table, json, yaml")
	c.mesh.bind(cmd)
	return cmd
}

func (c *scopeCmd) run(cmd *cobra.Command, args []string) error {
	write, err := documentWriter(c.format)
	if err != nil {
		return err
	}
	inv, cfg, err := c.mesh.load(c.inventory)
	if err != nil {
		return err
	}
	pod, warnings, err := findPod(inv, args[0])
	if err != nil {
		return err
	}
	warnings = append(cfg.Warnings, warnings...)
	report := cfg.ScopeFor(pod, inv.Services).Report(pod, inv, warnings)
	if write == nil {
		return report.WriteTable(cmd.OutOrStdout())
	}
	return write(cmd.OutOrStdout(), report)
}

// findPod finds the pod an argument names: namespace/name, name.namespace
// (as istioctl takes it), or a name unique in the inventory. A pod the
// inventory does not list but whose namespace is given is made up, without
// labels, with a warning.
func findPod(inv *inventory.Inventory, arg string) (*inventory.Pod, []string, error) {
	idx := inv.Index()
	ref := inventory.Ref{Name: arg}
	if ns, name, ok := strings.Cut(arg, "/"); ok {
		ref = inventory.Ref{Namespace: ns, Name: name}
	}
	if p := idx.Pod(ref); p != nil {
		return p, nil, nil
	}
	if i := strings.LastIndexByte(arg, '.'); ref.Namespace == "" && i > 0 {
		alt := inventory.Ref{Namespace: arg[i+1:], Name: arg[:i]}
		if p := idx.Pod(alt); p != nil {
			return p, nil, nil
		}
	}
	if ref.Namespace == "" {
		return nil, nil, badInput(fmt.Errorf("pod %q is not in the inventory: give it as namespace/name, or give --inventory with kubectl get pods output", arg))
	}
	if ref.Name == "" {
		return nil, nil, badInput(errors.New("expected a pod as namespace/name"))
	}
	p := &inventory.Pod{Ref: ref}
	return p, []string{fmt.Sprintf("pod %s is not in the inventory: its labels are not known, so Sidecars with a workloadSelector are taken not to select it", ref)}, nil
}

// documentWriter returns the writer of a document in format json or yaml;
// nil for table, which the command prints itself.
func documentWriter(format string) (func(io.Writer, any) error, error) {
	switch format {
	case "table", "text":
		return nil, nil
	case "json":
		return func(w io.Writer, v any) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		}, nil
	case "yaml":
		return func(w io.Writer, v any) error {
			enc := yaml.NewEncoder(w)
			enc.SetIndent(2)
			if err := enc.Encode(v); err != nil {
				return err
			}
			return enc.Close()
		}, nil
	}
	return nil, badInput(fmt.Errorf("unknown output format %q, want one of table, json, yaml", format))
}
