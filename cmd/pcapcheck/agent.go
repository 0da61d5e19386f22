package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/incluster"
	"github.com/pcapcheck/pcapcheck/internal/merge"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// agentCmd holds the flags of `pcapcheck agent`.
type agentCmd struct {
	iface       string
	filter      string
	snaplen     int
	node        string
	interval    time.Duration
	duration    time.Duration
	refresh     time.Duration
	writeReport string
	linger      bool
	istioNS     string
	apiServer   string
	tokenFile   string
	caFile      string
	inventory   []string
	mesh        meshFlags
}

func newAgentCmd() *cobra.Command {
	c := &agentCmd{}
	cmd := &cobra.Command{
		Use:   "agent [-i any] [--inventory PATH]... [--interval D] [--duration D] [--write-report FILE]",
		Short: "Capture on a node and log its report as JSON (the DaemonSet)",
		Long: `agent is what the DaemonSet of deploy/ runs on every node: it captures -i any with a
filter that keeps what verdicts rest on (handshakes, FIN and RST, PSH segments, DNS:
see --filter), reads the inventory from the Kubernetes API with the pod's
ServiceAccount (or from --inventory files outside a cluster), and writes its report
as one line of JSON to stdout every --interval and when it stops (SIGTERM, Ctrl-C,
--duration). pcapcheck merge, and kubectl pcapcheck audit, merge the nodes' reports.`,
		Example: `  # in the DaemonSet (NODE_NAME from the downward API)
  pcapcheck agent --interval 30s
  # outside a cluster, in a node's network namespace
  pcapcheck agent -i any --node kind-worker --inventory inventory/ --duration 1m \
      --write-report kind-worker.json`,
		Args: usageArgs(cobra.NoArgs, "no arguments"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringVarP(&c.iface, "interface", "i", "any", "interface to capture on")
	f.StringVar(&c.filter, "filter", capture.VerdictFilter, "BPF filter in tcpdump's syntax; \"\" captures everything")
	f.IntVar(&c.snaplen, "snaplen", capture.VerdictSnaplen, "bytes kept of each frame")
	f.StringVar(&c.node, "node", "", "the node's name in the report (default: $NODE_NAME, else the host name)")
	f.DurationVar(&c.interval, "interval", 0, "also write the report so far every D (0: only when stopping)")
	f.DurationVar(&c.duration, "duration", 0, "stop after this long (0: until SIGTERM or Ctrl-C)")
	f.DurationVar(&c.refresh, "refresh", 5*time.Minute, "read the inventory from the API again every D, for pods that come and go (0: once)")
	f.StringVar(&c.writeReport, "write-report", "", "also write the report, indented, to FILE (replaced at every --interval)")
	f.BoolVar(&c.linger, "linger", false, "after --duration, keep running (idle) until SIGTERM, so that a DaemonSet's pod keeps its log and is not restarted")
	f.StringVar(&c.istioNS, "istio-namespace", "istio-system", "namespace of the istio ConfigMap (the mesh config) read from the API")
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory instead of the API (kubectl and istioctl output); repeatable")
	f.StringVar(&c.apiServer, "api-server", "", "read the inventory from this API server (https://HOST:PORT) instead of the pod's own (KUBERNETES_SERVICE_HOST)")
	f.StringVar(&c.tokenFile, "token-file", incluster.DefaultTokenFile, "bearer token of --api-server")
	f.StringVar(&c.caFile, "ca-file", incluster.DefaultCAFile, "CA certificates of --api-server")
	c.mesh.bind(cmd)
	_ = cmd.RegisterFlagCompletionFunc("interface", completeInterfaces)
	return cmd
}

func (c *agentCmd) run(cmd *cobra.Command, _ []string) error {
	switch {
	case c.interval < 0:
		return badInput(fmt.Errorf("--interval must be positive (or 0 for only at the end), got %s", c.interval))
	case c.duration < 0:
		return badInput(fmt.Errorf("--duration must be positive (or 0 for no limit), got %s", c.duration))
	case c.refresh < 0:
		return badInput(fmt.Errorf("--refresh must be positive (or 0 for once), got %s", c.refresh))
	case c.snaplen <= 0:
		return badInput(fmt.Errorf("--snaplen must be positive, got %d", c.snaplen))
	}
	node := c.nodeName()
	stderr := cmd.ErrOrStderr()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "pcapcheck agent: "+format+"\n", args...)
	}
	ctx := cmd.Context()
	load, err := c.loader()
	if err != nil {
		return badInput(err)
	}
	cl, from, err := load(ctx)
	if err != nil {
		return badInput(err)
	}
	logf("node %s: inventory of %d pods, %d services, %d nodes from %s", node, len(cl.inv.Pods), len(cl.inv.Services), len(cl.inv.Nodes), from)

	// fresh holds an inventory read again, for the reading goroutine to
	// take between packets.
	var fresh atomic.Pointer[cluster]
	refreshCtx, stopRefresh := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRefresh()
	if len(c.inventory) == 0 && c.refresh > 0 {
		go func() {
			t := time.NewTicker(c.refresh)
			defer t.Stop()
			for {
				select {
				case <-refreshCtx.Done():
					return
				case <-t.C:
				}
				next, _, err := load(refreshCtx)
				if err != nil {
					logf("reading the inventory again: %v (keeping the one before)", err)
					continue
				}
				fresh.Store(next)
			}
		}()
	}

	out := reportWriter{w: cmd.OutOrStdout(), file: c.writeReport, node: node}
	last := time.Now()
	var a *engine.Analyzer
	var werr error
	tick := func() {
		if next := fresh.Swap(nil); next != nil {
			cl = next
			a.SetInventory(cl.inv, cl.idx)
		}
		if c.interval > 0 && time.Since(last) >= c.interval && werr == nil {
			last = time.Now()
			werr = out.write(a.Peek(cl.annotators(false)...))
		}
	}
	a = engine.New(engine.Options{Inventory: cl.inv, Index: cl.idx, Tick: func(*engine.Analyzer) { tick() }})
	src, err := capture.OpenLive(c.iface, capture.LiveOptions{Filter: c.filter, Snaplen: c.snaplen, Idle: tick})
	if err != nil {
		return badInput(err)
	}
	logf("capturing on %s (snaplen %d, filter %q)", c.iface, c.snaplen, c.filter)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		var timeout <-chan time.Time
		if c.duration > 0 {
			timeout = time.After(c.duration)
		}
		select {
		case <-ctx.Done():
		case <-timeout:
		case <-stop:
		}
		src.Stop()
	}()
	// SIGTERM and --duration stop the source, which ends Run as the end
	// of a file does; the report is then written.
	if err := a.Run(context.WithoutCancel(ctx), src); err != nil {
		return err
	}
	stopRefresh()
	if err := src.Close(); err != nil {
		logf("closing the capture: %v", err)
	}
	if werr != nil {
		return werr
	}
	if err := out.write(a.Result(cl.annotators(false)...)); err != nil {
		return err
	}
	// kubectl pcapcheck audit waits for this line in each agent's log.
	fmt.Fprintln(stderr, merge.FinalLine)
	if c.linger && ctx.Err() == nil {
		<-ctx.Done()
	}
	return nil
}

// nodeName is --node, else $NODE_NAME, else the host name.
func (c *agentCmd) nodeName() string {
	if c.node != "" {
		return c.node
	}
	if n := os.Getenv("NODE_NAME"); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "unknown"
}

// loader returns what reads the inventory: the --inventory files, else the
// API server with the pod's ServiceAccount. It also says where from.
func (c *agentCmd) loader() (func(context.Context) (*cluster, string, error), error) {
	if len(c.inventory) > 0 {
		return func(context.Context) (*cluster, string, error) {
			cl, err := c.mesh.load(c.inventory)
			return cl, fmt.Sprint(c.inventory), err
		}, nil
	}
	cfg := incluster.Config{Host: c.apiServer, TokenFile: c.tokenFile, CAFile: c.caFile}
	if c.apiServer == "" {
		var err error
		if cfg, err = incluster.FromEnv(os.Getenv); err != nil {
			return nil, err
		}
	}
	cfg.IstioNamespace = c.istioNS
	client, err := incluster.New(cfg)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*cluster, string, error) {
		cl, err := c.mesh.loadAPI(ctx, client)
		return cl, cfg.Host, err
	}, nil
}

// reportWriter writes an agent's report: one line of JSON to w, and the
// indented document to file when set.
type reportWriter struct {
	w    io.Writer
	file string
	node string
}

func (o reportWriter) write(res *engine.Result) error {
	rep := res.Report()
	rep.Node = o.node
	var doc bytes.Buffer
	jr, err := render.New(render.JSON)
	if err != nil {
		return err
	}
	if err := jr.Analysis(&doc, rep, res.Flows()); err != nil {
		return err
	}
	var line bytes.Buffer
	if err := json.Compact(&line, doc.Bytes()); err != nil {
		return err
	}
	line.WriteByte('\n')
	if _, err := o.w.Write(line.Bytes()); err != nil {
		return err
	}
	if o.file == "" {
		return nil
	}
	// Replaced whole, so that a reader never sees half a report.
	tmp, err := os.CreateTemp(filepath.Dir(o.file), "."+filepath.Base(o.file)+".*")
	if err != nil {
		return badInput(fmt.Errorf("--write-report: %w", err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(doc.Bytes()); err != nil {
		tmp.Close()
		return badInput(fmt.Errorf("--write-report: %w", err))
	}
	if err := tmp.Close(); err != nil {
		return badInput(fmt.Errorf("--write-report: %w", err))
	}
	if err := os.Rename(tmp.Name(), o.file); err != nil {
		return badInput(fmt.Errorf("--write-report: %w", err))
	}
	return nil
}
