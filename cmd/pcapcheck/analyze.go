package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/render"
)

// analyzeCmd holds the flags of `pcapcheck analyze`.
type analyzeCmd struct {
	inventory []string
	out       outputFlags
	mesh      meshFlags
	read      readFlags
}

func newAnalyzeCmd() *cobra.Command {
	c := &analyzeCmd{}
	cmd := &cobra.Command{
		Use:   "analyze CAPTURE... [--inventory PATH]...",
		Short: "Give each flow a verdict: in the mesh, passed through, elsewhere",
		Example: `  pcapcheck analyze veth.pcap --inventory pods.txt --inventory svc.txt
  tcpdump -i veth0 -w - | pcapcheck analyze - --inventory inventory/ -o json`,
		Args: usageArgs(cobra.MinimumNArgs(1), "a capture (a pcap, pcapng or tcpdump text file, or - for standard input)"),
		RunE: c.run,
	}
	c.bind(cmd)
	return cmd
}

func (c *analyzeCmd) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output, or a kubectl pcapcheck inventory bundle); repeatable")
	c.out.bind(cmd)
	c.mesh.bind(cmd)
	c.read.bind(cmd)
}

func (o *outputFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.format, "output", "o", "table", "output format: "+strings.Join(render.FormatNames(), ", "))
	f.BoolVar(&o.flows, "flows", false, "list every flow and its evidence in table and markdown output (html always does)")
	f.StringVar(&o.color, "color", render.ColorAuto.String(), "color verdicts in table output: "+strings.Join(render.ColorModeNames(), ", ")+
		"; auto colors on a terminal unless NO_COLOR is set")
	f.BoolVar(&o.wide, "wide", false, "print tables as wide as their content; without it, tables on a terminal fit its width (names shortened with …, or one block per row)")
	o.stdout = cmd.OutOrStdout
	completeOutput(cmd, render.FormatNames())
}

func (c *analyzeCmd) run(cmd *cobra.Command, args []string) error {
	render, err := c.out.renderer(render.Analysis)
	if err != nil {
		return err
	}
	cl, sources, err := openWhileLoading(args, cmd.InOrStdin(), func() (*cluster, error) {
		cl, err := c.mesh.load(c.inventory)
		if err != nil {
			return nil, err
		}
		return cl, c.read.check()
	})
	if err != nil {
		return err
	}
	res, err := readOpened(cmd.Context(), args, sources, cl, &c.read, cl.annotators(false))
	if err != nil {
		return err
	}
	rep := withWarning(res.Report(), untouched(cl, res.Report()))
	c.read.notes().noInventory(cl, rep)
	return render.Analysis(cmd.OutOrStdout(), rep, res.Flows())
}
