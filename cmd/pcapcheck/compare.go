package main

import (
	"errors"
	"iter"
	"slices"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// compareCmd holds the flags of `pcapcheck compare`.
type compareCmd struct {
	before          []string
	after           []string
	inventory       []string
	beforeInventory []string
	afterInventory  []string
	beforeSidecars  []string
	afterSidecars   []string
	out             outputFlags
	mesh            meshFlags
	read            readFlags
}

func newCompareCmd() *cobra.Command {
	c := &compareCmd{}
	cmd := &cobra.Command{
		Use:   "compare BEFORE AFTER | --before FILE... --after FILE...",
		Short: "Show what changed between two captures, and what it means",
		Example: `  pcapcheck compare before.pcap after.pcap --inventory pods-and-svc.txt \
      --before-inventory istioctl-before.txt \
      --after-inventory istioctl-after.txt --after-sidecars sidecar.yaml
  pcapcheck compare --before a1.pcap --before a2.pcap --after b.pcap \
      --inventory inventory/`,
		Args: usageArgs(cobra.MaximumNArgs(2), "two captures, BEFORE and AFTER"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.before, "before", nil, "capture of the before side; repeatable")
	f.StringArrayVar(&c.after, "after", nil, "capture of the after side; repeatable")
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory for both sides; repeatable")
	f.StringArrayVar(&c.beforeInventory, "before-inventory", nil, "inventory only for the before side (e.g. istioctl output taken then); repeatable")
	f.StringArrayVar(&c.afterInventory, "after-inventory", nil, "inventory only for the after side; repeatable")
	f.StringArrayVar(&c.beforeSidecars, "before-sidecars", nil, "Istio Sidecar objects only for the before side; repeatable (--sidecars applies to both)")
	f.StringArrayVar(&c.afterSidecars, "after-sidecars", nil, "Istio Sidecar objects only for the after side, e.g. the Sidecar you applied; repeatable")
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
	render, err := c.out.renderer(render.Comparison)
	if err != nil {
		return err
	}
	if err := c.read.check(); err != nil {
		return err
	}
	sides := [2][]string{before, after}
	var clusters [2]*cluster
	sideSidecars := [2][]string{c.beforeSidecars, c.afterSidecars}
	for i, sideInventory := range [][]string{c.beforeInventory, c.afterInventory} {
		mesh := c.mesh
		mesh.sidecars = append(slices.Clone(c.mesh.sidecars), sideSidecars[i]...)
		cl, err := mesh.load(append(slices.Clone(c.inventory), sideInventory...))
		if err != nil {
			return err
		}
		clusters[i] = cl
	}
	predicted := !clusters[0].cfg.Empty() || !clusters[1].cfg.Empty()
	var reports [2]*report.Report
	var flows [2]iter.Seq[*report.Flow]
	for i := range sides {
		res, err := readSide(cmd.Context(), sides[i], cmd.InOrStdin(), clusters[i], &c.read, clusters[i].annotators(predicted))
		if err != nil {
			return err
		}
		reports[i] = withWarning(res.Report(), untouched(clusters[i], res.Report()))
		// The summary table needs no flow: the result, and its flow table,
		// can go before the other side is read.
		if !c.out.summaryOnly() {
			flows[i] = res.Flows()
		}
	}
	cmp := report.Compare(reports[0], reports[1])
	n := c.read.notes()
	n.compareSides(before, after, reports)
	if len(c.mesh.sidecars) > 0 && len(c.beforeSidecars)+len(c.afterSidecars) == 0 && len(cmp.Changes) > 0 {
		n.warn("the Sidecars of --sidecars apply to both sides, and verdicts changed between them: if the Sidecars changed too, give each side's with --before-sidecars and --after-sidecars")
	}
	n.noInventory(clusters[0], reports[0])
	n.noInventory(clusters[1], reports[1])
	return render.Comparison(cmd.OutOrStdout(), cmp, flows[0], flows[1])
}
