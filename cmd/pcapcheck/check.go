package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/check"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// checkCmd holds the flags of `pcapcheck check`.
type checkCmd struct {
	inventory []string
	read      readFlags
	mesh      meshFlags
	expect    string
	out       outputFlags
}

func newCheckCmd() *cobra.Command {
	c := &checkCmd{}
	cmd := &cobra.Command{
		Use:   "check CAPTURE... --inventory PATH... --expect FILE",
		Short: "Check the flows against expectations (exit 1 on a violation)",
		Long: `check analyzes the captures like analyze and checks every flow against the rules of an
expectations file (YAML), for example

  - {from: default/my-shell, to: bookinfo/reviews, verdict: passthrough}
  - {from: "web/*", to: "*", forbid: [external]}
  - {from: "*", to: "*", match: expected}

from and to are globs on the client and destination names ("*" matches any text, "/"
included). match: expected compares each flow with the path the Sidecar objects and
mesh config predict (--sidecars, --mesh-config; with neither, every pod has the
default scope). Exit status: 0 when every rule holds, 1 with one line per violation,
2 for bad input.`,
		Example: `  pcapcheck check after.pcap --inventory inventory/ --sidecars sidecars/ \
      --expect expect.yaml
  pcapcheck check after.pcap --inventory inventory/ --expect expect.yaml -o json`,
		Args: usageArgs(cobra.MinimumNArgs(1), "a capture (a pcap, pcapng or tcpdump text file, or - for standard input)"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output; Sidecars and mesh configs in it are read too); repeatable")
	f.StringVar(&c.expect, "expect", "", "the expectations file (YAML list of rules); required")
	f.StringVarP(&c.out.format, "output", "o", "table", "output format: table (or text), json, yaml")
	completeOutput(cmd, []string{"table", "json", "yaml"})
	c.mesh.bind(cmd)
	c.read.bind(cmd)
	return cmd
}

func (c *checkCmd) run(cmd *cobra.Command, args []string) error {
	if err := c.read.check(); err != nil {
		return err
	}
	if c.expect == "" {
		return badInput(errors.New("check needs --expect FILE (see pcapcheck check --help)"))
	}
	r, err := c.out.renderer(render.CheckDocument)
	if err != nil {
		return err
	}
	rules, err := check.Read(c.expect)
	if err != nil {
		return badInput(err)
	}
	cl, err := c.mesh.load(c.inventory)
	if err != nil {
		return err
	}
	res, err := readSide(cmd.Context(), args, cmd.InOrStdin(), cl, &c.read, cl.annotators(rules.NeedsPrediction()))
	if err != nil {
		return err
	}
	c.read.notes().noInventory(cl, res.Report())
	result := check.Check(rules, res.Flows())
	if err := r.Check(cmd.OutOrStdout(), result); err != nil {
		return err
	}
	if !result.OK {
		return &exitError{code: exitViolations}
	}
	return nil
}
