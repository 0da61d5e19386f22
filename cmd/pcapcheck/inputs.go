package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pcapcheck/pcapcheck/analyze"
	"github.com/pcapcheck/pcapcheck/analyze/inventory"
	"github.com/pcapcheck/pcapcheck/capture"
	"github.com/pcapcheck/pcapcheck/reports"
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
}

func (o *outputFlags) renderer() (reports.Renderer, error) {
	f, err := reports.ParseFormat(o.format)
	if err != nil {
		return nil, badInput(err)
	}
	return reports.New(f, reports.WithFlows(o.flows))
}

// analyzeSide analyzes one set of captures against one inventory.
func analyzeSide(ctx context.Context, paths []string, stdin io.Reader, inv *inventory.Inventory) (*analyze.Report, error) {
	sources, err := openCaptures(paths, stdin)
	if err != nil {
		return nil, err
	}
	defer closeAll(sources)
	a := analyze.New(analyze.Options{Inventory: inv})
	if err := a.Run(ctx, sources...); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	return a.Report(), nil
}
