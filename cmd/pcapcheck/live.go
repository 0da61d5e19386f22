package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// liveCmd holds the flags of `pcapcheck live`.
type liveCmd struct {
	iface     string
	filter    string
	duration  time.Duration
	count     int
	snaplen   int
	buffer    byteSize
	write     string
	inventory []string
	out       outputFlags
}

func newLiveCmd() *cobra.Command {
	c := &liveCmd{buffer: capture.DefaultLiveBuffer}
	cmd := &cobra.Command{
		Use:   "live -i IFACE [--filter BPF] [--duration D] [--write FILE]",
		Short: "Capture on an interface and judge flows as they come (root)",
		Long: `live captures on an interface with libpcap. On a terminal it redraws the summary
every second, under a status line with the packets captured and those the kernel
dropped; it stops on Ctrl-C, SIGTERM, --duration or --count, and then prints the
full report. --write keeps every frame captured in a pcap file that tcpdump -r reads.

Packets the kernel dropped (its buffer was full: see --buffer-size) are missing from
the analysis; the report's warnings say how many, as tcpdump's "packets dropped by
kernel" does. pcapcheck itself drops nothing it has read.`,
		Example: `  pcapcheck live -i veth5f577e0f --inventory inventory/ --duration 30s
  pcapcheck live -i any --filter 'tcp port 9080' --count 1000 \
      --write node.pcap -o json`,
		Args: usageArgs(cobra.NoArgs, "no arguments (the interface is -i IFACE)"),
		RunE: c.run,
	}
	f := cmd.Flags()
	f.StringVarP(&c.iface, "interface", "i", "", "interface to capture on (required); \"any\" for all")
	f.StringVar(&c.filter, "filter", "", "BPF filter in tcpdump's syntax")
	f.DurationVar(&c.duration, "duration", 0, "stop after this long (0: until Ctrl-C or --count)")
	f.IntVar(&c.count, "count", 0, "stop after this many frames (0: no limit)")
	f.IntVar(&c.snaplen, "snaplen", 0, "bytes kept of each frame (0: 262144)")
	f.Var(&c.buffer, "buffer-size", "kernel capture buffer (tcpdump's -B): what arrives while it is full is dropped")
	f.StringVar(&c.write, "write", "", "also write every captured frame to this pcap file")
	f.StringArrayVar(&c.inventory, "inventory", nil, "inventory file or directory (kubectl and istioctl output, or a kubectl pcapcheck inventory bundle); repeatable")
	c.out.bind(cmd)
	_ = cmd.RegisterFlagCompletionFunc("interface", completeInterfaces)
	return cmd
}

func (c *liveCmd) run(cmd *cobra.Command, _ []string) error {
	if c.iface == "" {
		return badInput(fmt.Errorf("live needs an interface: -i IFACE (see %s --help)", cmd.CommandPath()))
	}
	switch {
	case c.duration < 0:
		return badInput(fmt.Errorf("--duration must be positive (or 0 for no limit), got %s", c.duration))
	case c.count < 0:
		return badInput(fmt.Errorf("--count must be positive (or 0 for no limit), got %d", c.count))
	case c.snaplen < 0:
		return badInput(fmt.Errorf("--snaplen must be positive (or 0 for 262144), got %d", c.snaplen))
	case c.buffer <= 0:
		return badInput(fmt.Errorf("--buffer-size must be positive, got %s", c.buffer))
	}
	render, err := c.out.renderer(render.Analysis)
	if err != nil {
		return err
	}
	cl, err := (&meshFlags{}).load(c.inventory)
	if err != nil {
		return err
	}
	opts := capture.LiveOptions{Filter: c.filter, Snaplen: c.snaplen, BufferSize: int(c.buffer), Count: c.count}
	var out *os.File
	if c.write != "" {
		if out, err = os.Create(c.write); err != nil {
			return badInput(err)
		}
		defer out.Close()
		opts.Write = capture.NewPcapWriter(out)
	}
	stdout := cmd.OutOrStdout()
	screen := newLiveScreen(stdout, c.iface, c.out.format)
	a := engine.New(engine.Options{Inventory: cl.inv, Index: cl.idx, Tick: func(a *engine.Analyzer) { screen.maybeDraw(a) }})
	opts.Idle = func() { screen.maybeDraw(a) }
	src, err := capture.OpenLive(c.iface, opts)
	if err != nil {
		return badInput(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		var timeout <-chan time.Time
		if c.duration > 0 {
			timeout = time.After(c.duration)
		}
		select {
		case <-cmd.Context().Done():
		case <-timeout:
		case <-stop:
		}
		src.Stop()
	}()
	// Ctrl-C and --duration stop the source, which ends Run as the end of
	// a file does.
	if err := a.Run(context.WithoutCancel(cmd.Context()), src); err != nil {
		return err
	}
	if err := src.Close(); err != nil {
		return badInput(fmt.Errorf("writing %s: %w", c.write, err))
	}
	if out != nil {
		if err := out.Close(); err != nil {
			return badInput(err)
		}
	}
	screen.clear()
	res := a.Result()
	return render.Analysis(stdout, res.Report(), res.Flows())
}

// liveScreen redraws the summary on a terminal once a second, on the
// terminal's alternate screen (as top and less do), so that the redraws do
// not scroll the terminal's history and the final report lands on the
// normal screen, below the command line; on anything else it draws nothing,
// so that stdout holds only the final report.
type liveScreen struct {
	w  io.Writer
	on bool
	// entered is set once the alternate screen is on.
	entered bool
	iface   string
	started time.Time
	last    time.Time
	table   render.Renderer
}

func newLiveScreen(w io.Writer, iface, format string) *liveScreen {
	s := &liveScreen{w: w, iface: iface, started: time.Now()}
	f, ok := w.(*os.File)
	s.on = ok && format == render.Table.String() && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
	if s.on {
		s.table, _ = render.New(render.Table, render.WithWidth(terminalWidth(w, os.Getenv)))
		s.last = time.Now()
	}
	return s
}

// maybeDraw redraws when a second has passed since the last drawing.
func (s *liveScreen) maybeDraw(a *engine.Analyzer) {
	if !s.on || time.Since(s.last) < time.Second {
		return
	}
	s.last = time.Now()
	r := a.Snapshot()
	var table bytes.Buffer
	s.table.Analysis(&table, r, nil)
	var b bytes.Buffer
	if !s.entered {
		b.WriteString(enterAltScreen)
		s.entered = true
	}
	b.WriteString("\x1b[H\x1b[2J")
	b.WriteString(s.statusLine(r))
	b.WriteString("\n\n")
	b.Write(table.Bytes())
	s.w.Write(b.Bytes())
}

// statusLine says how long the capture has run, what it found, and, as
// tcpdump does when it ends, how many packets the kernel dropped.
func (s *liveScreen) statusLine(r *report.Report) string {
	flows := 0
	for _, row := range r.Summary {
		flows += row.Flows
	}
	var packets int
	var live report.LiveCounts
	for _, c := range r.Captures {
		packets += c.Packets
		if c.Live != nil {
			live = *c.Live
		}
	}
	line := fmt.Sprintf("pcapcheck live on %s: %s, %s, %s, %d dropped by kernel",
		s.iface, time.Since(s.started).Round(time.Second), plural(flows, "flow"), plural(packets, "packet"), live.KernelDropped)
	if live.InterfaceDropped > 0 {
		line += fmt.Sprintf(", %d by interface", live.InterfaceDropped)
	}
	return line + "; Ctrl-C stops and prints the full report"
}

// The xterm sequences that switch to the alternate screen and back.
const (
	enterAltScreen = "\x1b[?1049h"
	leaveAltScreen = "\x1b[?1049l"
)

// clear leaves the alternate screen, and so the last drawing, before the
// final report.
func (s *liveScreen) clear() {
	if s.entered {
		io.WriteString(s.w, leaveAltScreen)
		s.entered = false
	}
}
