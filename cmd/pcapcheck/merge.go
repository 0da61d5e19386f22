package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/merge"
	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// mergeCmd holds the flags of `pcapcheck merge`.
type mergeCmd struct {
	skew   time.Duration
	perPod bool
	out    outputFlags
}

func newMergeCmd() *cobra.Command {
	c := &mergeCmd{}
	cmd := &cobra.Command{
		Use:   "merge REPORT...",
		Short: "Merge the nodes' agent reports into one cluster-wide report",
		Long: `merge reads the reports of pcapcheck agent, one a node (an agent's log, where the
last report line wins, its --write-report file, or pcapcheck analyze -o json, whose
node is the file's name), and prints one report of the cluster: a connection seen
on the client's node and on the server's node is counted once, kube-proxy's legs
(the ClusterIP on the client's node, the pod it chose on the server's) are paired,
and each summary row, one per client workload (--per-pod: per pod), destination and
verdict, says which nodes saw it.`,
		Example: `  pcapcheck merge kind-worker.json kind-worker2.json
  for p in $(kubectl -n pcapcheck get pods -o name); do kubectl -n pcapcheck logs $p > ${p#pod/}.log; done
  pcapcheck merge *.log -o html > cluster.html`,
		Args: usageArgs(cobra.MinimumNArgs(1), "one or more reports (pcapcheck agent's log or JSON)"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.DurationVar(&c.skew, "skew", merge.DefaultSkew, "how far apart two nodes' sightings of one connection may be (clock difference)")
	f.BoolVar(&c.perPod, "per-pod", false, "a summary row per client pod, not per workload (a Deployment's pods, named NAME-HASH-XXXXX, are one workload)")
	c.out.bind(cmd)
	return cmd
}

func (c *mergeCmd) run(cmd *cobra.Command, args []string) error {
	if c.skew < 0 {
		return badInput(fmt.Errorf("--skew must be positive, got %s", c.skew))
	}
	rd, err := c.out.renderer(render.Analysis)
	if err != nil {
		return err
	}
	reports := make([]*report.Report, 0, len(args))
	for _, path := range args {
		r, err := merge.ReadFile(path)
		if err != nil {
			return badInput(err)
		}
		reports = append(reports, r)
	}
	merged, st, err := merge.Merge(reports, merge.Options{Skew: c.skew, ByPod: c.perPod})
	if err != nil {
		return badInput(err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "pcapcheck merge: %d nodes, %d sightings, %d connections (%d seen on two nodes or more, %d of them kube-proxy legs paired)\n",
		len(merged.Nodes), st.Sightings, st.Connections, st.Shared, st.Paired)
	return rd.Analysis(cmd.OutOrStdout(), merged, nil)
}
