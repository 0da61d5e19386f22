package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
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

// loadInventory reads inventory paths; none gives an empty inventory.
func loadInventory(paths []string) (*inventory.Inventory, error) {
	if len(paths) == 0 {
		return &inventory.Inventory{}, nil
	}
	inv, err := inventory.Load(paths...)
	if err != nil {
		return nil, badInput(err)
	}
	return inv, nil
}

// outputFlags are the rendering flags analyze and compare share.
type outputFlags struct {
	format string
	flows  bool
	color  string
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

func (o *outputFlags) renderer() (render.Renderer, error) {
	f, err := render.ParseFormat(o.format)
	if err != nil {
		return nil, badInput(err)
	}
	mode, err := render.ParseColorMode(o.color)
	if err != nil {
		return nil, badInput(err)
	}
	color := mode.Enabled(o.stdout(), os.Getenv)
	return render.New(f, render.WithFlows(o.flows), render.WithColor(color))
}

// analyzeSide analyzes one set of captures against one inventory; read
// sets the flow limit and shows a progress bar.
func analyzeSide(ctx context.Context, paths []string, stdin io.Reader, inv *inventory.Inventory, read *readFlags) (*engine.Report, error) {
	a, err := readSide(ctx, paths, stdin, inv, read)
	if err != nil {
		return nil, err
	}
	return a.Report(), nil
}

// readSide reads one set of captures into flows.
func readSide(ctx context.Context, paths []string, stdin io.Reader, inv *inventory.Inventory, read *readFlags) (*engine.Analyzer, error) {
	sources, err := openCaptures(paths, stdin)
	if err != nil {
		return nil, err
	}
	defer closeAll(sources)
	a := engine.New(read.options(engine.Options{Inventory: inv}))
	stopProgress := read.startProgress(paths, sources)
	err = a.Run(ctx, sources...)
	stopProgress()
	if err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	return a, nil
}
