package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// readFlags are the flags about reading captures: the progress bar and the
// flow limit.
type readFlags struct {
	quiet    bool
	maxFlows int
	// stderr is where the progress bar goes; bind sets it.
	stderr func() io.Writer
}

func (r *readFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&r.quiet, "quiet", false, "show no progress bar (one is shown on a terminal while captures over 100 MB are read)")
	f.IntVar(&r.maxFlows, "max-flows", engine.DefaultMaxFlows,
		"flows kept apart; past it, new flows are folded per client address and destination, which bounds memory on huge or hostile captures")
	r.stderr = cmd.ErrOrStderr
}

// check validates the flags.
func (r *readFlags) check() error {
	if r.maxFlows < 1 {
		return badInput(fmt.Errorf("--max-flows must be at least 1, got %d", r.maxFlows))
	}
	return nil
}

// options returns the analyzer options the flags set.
func (r *readFlags) options(opts engine.Options) engine.Options {
	opts.MaxFlows = r.maxFlows
	return opts
}

// progressMinBytes is how large the captures must be for a progress bar.
const progressMinBytes = 100 << 20

// startProgress shows a progress bar on stderr while sources are read,
// when stderr is a terminal, --quiet is not given and the captures hold
// more than progressMinBytes. The returned function removes it.
func (r *readFlags) startProgress(paths []string, sources []capture.Source) func() {
	if r.quiet || r.stderr == nil {
		return func() {}
	}
	f, ok := r.stderr().(*os.File)
	if !ok || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return func() {}
	}
	var total int64
	var counters []capture.Progress
	for i, src := range sources {
		size, ok := captureSize(paths[i])
		c, counts := src.(capture.Progress)
		if !ok || !counts {
			return func() {}
		}
		total += size
		counters = append(counters, c)
	}
	if total <= progressMinBytes {
		return func() {}
	}
	return startBar(f, total, func() int64 {
		var n int64
		for _, c := range counters {
			n += c.BytesRead()
		}
		return n
	})
}

// captureSize returns the size of a capture file (or of standard input when
// it is a file), and false when it is not known.
func captureSize(path string) (int64, bool) {
	var fi os.FileInfo
	var err error
	if path == "-" {
		fi, err = os.Stdin.Stat()
	} else {
		fi, err = os.Stat(path)
	}
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}
