package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/istio"
)

// suggestCmd holds the flags of `pcapcheck suggest`.
type suggestCmd struct {
	inventory   []string
	read        readFlags
	perWorkload bool
	from        []string
	// ownNamespace adds ./* to what is proposed without --from.
	ownNamespace bool
}

func newSuggestCmd() *cobra.Command {
	c := &suggestCmd{}
	cmd := &cobra.Command{
		Use:   "suggest CAPTURE... --inventory PATH... [--from FILE]...",
		Short: "Write the Sidecars that keep the observed traffic in the mesh",
		Long: `suggest reads the captures like analyze and writes, as YAML ready for kubectl apply,
one Sidecar per namespace whose pods were clients (or, with --per-workload, one per
workload with a workloadSelector) whose egress hosts name every service those pods
reached, passthrough flows included, plus istio-system/* and (without --from, unless
--own-namespace=false) ./*, the namespace's own services. Destinations outside the
inventory are listed in comments: a ServiceEntry, not a Sidecar, brings them in.
With --from, the proposal is merged into existing Sidecars, and comments say what
each gains.`,
		Example: `  pcapcheck suggest after/any.pcap --inventory inventory/ > sidecars.yaml
  pcapcheck suggest capture.pcap --inventory inventory/ \
      --from current-sidecars.yaml --per-workload`,
		Args: usageArgs(cobra.MinimumNArgs(1), "a capture (a pcap, pcapng or tcpdump text file, or - for standard input)"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output); repeatable")
	f.BoolVar(&c.perWorkload, "per-workload", false, "one Sidecar per workload, with a workloadSelector, instead of one per namespace")
	f.StringArrayVar(&c.from, "from", nil, "existing Sidecar objects to merge into (kubectl get sidecars -A -o yaml); repeatable")
	f.BoolVar(&c.ownNamespace, "own-namespace", true, "without --from, add ./* (the namespace's own services) to each proposed Sidecar")
	c.read.bind(cmd)
	return cmd
}

func (c *suggestCmd) run(cmd *cobra.Command, args []string) error {
	if err := c.read.check(); err != nil {
		return err
	}
	// Sidecars and mesh configs in the inventory are taken (not warned
	// about) but not merged into: --from says what to merge into.
	cl, err := (&meshFlags{}).load(c.inventory)
	if err != nil {
		return err
	}
	opts := istio.SuggestOptions{PerWorkload: c.perWorkload, OwnNamespace: c.ownNamespace}
	if len(c.from) > 0 {
		opts.From = &istio.Config{}
		if err := opts.From.Load(c.from...); err != nil {
			return badInput(err)
		}
	}
	res, err := readSide(cmd.Context(), args, cmd.InOrStdin(), cl, &c.read, nil)
	if err != nil {
		return err
	}
	if cl.idx == nil {
		c.read.notes().hint("suggest proposes Sidecars for the pods with a sidecar it knows, and without an inventory it knows none: %s", inventoryHint)
	}
	sg := istio.Suggest(res.Flows(), cl.idx, opts)
	if opts.From == nil {
		var defaults []string
		for _, sc := range sg.Sidecars {
			if sc.Selector == nil {
				defaults = append(defaults, sc.Namespace)
			}
		}
		if len(defaults) > 0 {
			namespaces := "namespace"
			if len(defaults) > 1 {
				namespaces += "s"
			}
			c.read.notes().warn("the proposal holds the default Sidecar of %s %s: applied as it is, it replaces a default Sidecar already there; merge into the existing ones with --from (kubectl get sidecars -n NAMESPACE -o yaml > existing.yaml)",
				namespaces, strings.Join(defaults, ", "))
		}
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "# pcapcheck suggest %s\n", strings.Join(args, " "))
	if opts.From != nil {
		for _, w := range opts.From.Warnings {
			fmt.Fprintf(out, "# warning: %s\n", w)
		}
	}
	return sg.WriteYAML(out)
}
