package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/reports"
)

// analyzeCmd holds the flags of `pcapcheck analyze`.
type analyzeCmd struct {
	inventory []string
	out       outputFlags
}

func newAnalyzeCmd() *cobra.Command {
	c := &analyzeCmd{}
	cmd := &cobra.Command{
		Use:   "analyze CAPTURE... [--inventory PATH]...",
		Short: "Give every flow of the captures a verdict: in the mesh, passed through, or elsewhere",
		Example: `  pcapcheck analyze veth.pcap --inventory pods.txt --inventory svc.txt
  tcpdump -i veth0 -w - | pcapcheck analyze - --inventory inventory/ -o json`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: c.run,
	}
	c.bind(cmd)
	return cmd
}

func (c *analyzeCmd) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output); repeatable")
	c.out.bind(cmd)
}

func (o *outputFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.format, "output", "o", "table", "output format: "+strings.Join(reports.FormatNames(), ", "))
	f.BoolVar(&o.flows, "flows", false, "list every flow and its evidence in table and markdown output")
}

func (c *analyzeCmd) run(cmd *cobra.Command, args []string) error {
	render, err := c.out.renderer()
	if err != nil {
		return err
	}
	inv, err := loadInventory(c.inventory)
	if err != nil {
		return err
	}
	report, err := analyzeSide(cmd.Context(), args, cmd.InOrStdin(), inv)
	if err != nil {
		return err
	}
	return render.Analysis(cmd.OutOrStdout(), report)
}
