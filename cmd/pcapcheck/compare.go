package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
)

// compareCmd holds the flags of `pcapcheck compare`.
type compareCmd struct {
	before          []string
	after           []string
	inventory       []string
	beforeInventory []string
	afterInventory  []string
	out             outputFlags
	mesh            meshFlags
	read            readFlags
}

func newCompareCmd() *cobra.Command {
	c := &compareCmd{}
	cmd := &cobra.Command{
		Use:   "compare BEFORE AFTER [--inventory PATH]... | compare --before FILE... --after FILE...",
		Short: "Show, per client and destination, the verdict before and after, and what each change means",
		Example: `  pcapcheck compare before.pcap after.pcap --inventory pods-and-svc.txt \
      --before-inventory istioctl-before.txt --after-inventory istioctl-after.txt
  pcapcheck compare --before a1.pcap --before a2.pcap --after b.pcap --inventory inventory/`,
		Args: usageArgs(cobra.MaximumNArgs(2)),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.before, "before", nil, "capture of the before side; repeatable")
	f.StringArrayVar(&c.after, "after", nil, "capture of the after side; repeatable")
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory for both sides; repeatable")
	f.StringArrayVar(&c.beforeInventory, "before-inventory", nil, "inventory only for the before side (e.g. istioctl output taken then); repeatable")
	f.StringArrayVar(&c.afterInventory, "after-inventory", nil, "inventory only for the after side; repeatable")
	c.out.bind(cmd)
	c.mesh.bind(cmd)
	c.read.bind(cmd)
	return cmd
}

func (c *compareCmd) run(cmd *cobra.Command, args []string) error {
	before, after := c.before, c.after
	switch {
	case len(args) == 2 && len(before) == 0 && len(after) == 0:
		before, after = args[:1], args[1:]
	case len(args) == 0 && len(before) > 0 && len(after) > 0:
	default:
		return badInput(errors.New("compare needs BEFORE and AFTER captures: two arguments, or --before and --after flags (see pcapcheck compare --help)"))
	}
	render, err := c.out.renderer()
	if err != nil {
		return err
	}
	if err := c.read.check(); err != nil {
		return err
	}
	sides := [2][]string{before, after}
	var invs [2]*inventory.Inventory
	var cfgs [2]*istio.Config
	for i, sideInventory := range [][]string{c.beforeInventory, c.afterInventory} {
		inv, cfg, err := c.mesh.load(append(append([]string{}, c.inventory...), sideInventory...))
		if err != nil {
			return err
		}
		invs[i], cfgs[i] = inv, cfg
	}
	// Istio configuration on either side (Sidecars in a side's inventory,
	// or --sidecars for both) predicts both: a side without any has the
	// default scope.
	predicted := !cfgs[0].Empty() || !cfgs[1].Empty()
	var reports [2]*engine.Report
	for i := range sides {
		a, err := readSide(cmd.Context(), sides[i], cmd.InOrStdin(), invs[i], &c.read)
		if err != nil {
			return err
		}
		reports[i] = a.Stream()
		if predicted {
			istio.Annotate(reports[i], invs[i], cfgs[i])
		}
		// The summary table needs no flows: each side's are made and
		// dropped before the next side is read.
		if c.out.summaryOnly() {
			if err := reports[i].EachFlow(func(*engine.Flow) error { return nil }); err != nil {
				return err
			}
		} else {
			reports[i].Collect()
		}
	}
	return render.Comparison(cmd.OutOrStdout(), engine.Compare(reports[0], reports[1]))
}
