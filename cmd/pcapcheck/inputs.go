package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// openCaptures opens every capture or none: a file that cannot be opened,
// or is not a capture, is bad input.
func openCaptures(paths []string, stdin io.Reader) ([]capture.Source, error) {
	var sources []capture.Source
	dashes := 0
	for _, p := range paths {
		if p == "-" {
			dashes++
		}
	}
	if dashes > 1 {
		return nil, badInput(errors.New(`standard input ("-") can be read only once`))
	}
	for _, p := range paths {
		var src capture.Source
		var err error
		if p == "-" {
			src, err = capture.NewReader("-", stdin, nil)
		} else if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
			err = fmt.Errorf("%s is a directory: give the capture files in it, e.g. %s", p, filepath.Join(p, "*.pcap"))
		} else {
			src, err = capture.Open(p)
		}
		if err != nil {
			closeAll(sources)
			return nil, badInput(err)
		}
		sources = append(sources, src)
	}
	return sources, nil
}

func closeAll(sources []capture.Source) {
	for _, s := range sources {
		s.Close()
	}
}

type outputFlags struct {
	format string
	flows  bool
	color  string
	// wide prints tables as wide as their content on a terminal too.
	wide bool
	// stdout is where the command prints, to tell whether it is a
	// terminal; bind sets it.
	stdout func() io.Writer
}

// summaryOnly reports whether the output is the table without --flows,
// which prints no flow.
func (o *outputFlags) summaryOnly() bool {
	f, err := render.ParseFormat(o.format)
	return err == nil && f == render.Table && !o.flows
}

// renderer returns the renderer of the chosen format for document d.
func (o *outputFlags) renderer(d render.Document) (render.Renderer, error) {
	f, err := render.ParseFormatFor(o.format, d)
	if err != nil {
		return nil, badInput(err)
	}
	mode := render.ColorNever
	if o.color != "" {
		if mode, err = render.ParseColorMode(o.color); err != nil {
			return nil, badInput(err)
		}
	}
	color, width := false, 0
	if o.stdout != nil {
		color = mode.Enabled(o.stdout(), os.Getenv)
		if !o.wide {
			width = terminalWidth(o.stdout(), os.Getenv)
		}
	}
	return render.New(f, render.WithFlows(o.flows), render.WithColor(color), render.WithWidth(width))
}

// readSide reads one set of captures into flows and freezes them into a
// result, with the annotators.
func readSide(ctx context.Context, paths []string, stdin io.Reader, cl *cluster, read *readFlags, anns []engine.Annotator) (*engine.Result, error) {
	sources, err := openCaptures(paths, stdin)
	if err != nil {
		return nil, err
	}
	return readOpened(ctx, paths, sources, cl, read, anns)
}

// openWhileLoading opens the captures in a goroutine of its own while load
// runs: a gzip capture starts inflating as soon as it is open, so that on
// two cores loading the inventory costs no time. The error is load's when
// both fail, as when the two ran one after the other, and comes without
// waiting for the captures, which are closed once open.
func openWhileLoading(paths []string, stdin io.Reader, load func() (*cluster, error)) (*cluster, []capture.Source, error) {
	type opened struct {
		sources []capture.Source
		err     error
	}
	done := make(chan opened, 1)
	go func() {
		sources, err := openCaptures(paths, stdin)
		done <- opened{sources, err}
	}()
	cl, err := load()
	if err != nil {
		// Say so at once: opening standard input waits for its first
		// bytes, which may never come.
		go func() { closeAll((<-done).sources) }()
		return nil, nil, err
	}
	o := <-done
	if o.err != nil {
		return nil, nil, o.err
	}
	return cl, o.sources, nil
}

// readOpened reads opened captures, as readSide, and closes them.
func readOpened(ctx context.Context, paths []string, sources []capture.Source, cl *cluster, read *readFlags, anns []engine.Annotator) (*engine.Result, error) {
	defer closeAll(sources)
	a := engine.New(read.options(engine.Options{Inventory: cl.inv, Index: cl.idx}))
	stopProgress := read.startProgress(paths, sources)
	err := a.Run(ctx, sources...)
	stopProgress()
	if err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	return a.Result(anns...), nil
}
