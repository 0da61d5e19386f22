package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/istio"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// outputFlags are the report's formats, as pcapcheck analyze has them.
type outputFlags struct {
	formats []string
	flows   bool
}

func (o *outputFlags) parse() ([]render.Format, error) {
	if len(o.formats) == 0 {
		o.formats = []string{render.Table.String()}
	}
	var out []render.Format
	for _, s := range o.formats {
		f, err := render.ParseFormatFor(s, render.Analysis)
		if err != nil {
			return nil, &usageError{err}
		}
		out = append(out, f)
	}
	return out, nil
}

func formatList() string { return strings.Join(render.FormatNames(), ", ") }

// analyzer reads a capture stream while the inventory is fetched, and
// makes the report once both are there.
type analyzer struct {
	a *engine.Analyzer
}

// read reads the pcap stream to its end, or until ctx ends.
func (z *analyzer) read(ctx context.Context, name string, r io.Reader) error {
	src, err := capture.NewReader(name, r, nil)
	if err != nil {
		return fmt.Errorf("reading the capture: %w", err)
	}
	defer src.Close()
	z.a = engine.New(engine.Options{})
	return z.a.Run(ctx, src)
}

// report gives the analyzer the bundle and prints the report in each
// format.
func (z *analyzer) report(w io.Writer, bundlePath string, bundle []byte, formats []render.Format, flows bool) error {
	inv, cfg, err := istio.ReadBundle(bundlePath, bundle)
	if err != nil {
		return fmt.Errorf("reading the inventory pcapcheck exported: %w", err)
	}
	idx := inv.Index()
	z.a.SetInventory(inv, idx)
	var anns []engine.Annotator
	if !cfg.Empty() {
		anns = append(anns, istio.Annotator(inv, idx, cfg))
	}
	res := z.a.Result(anns...)
	for i, f := range formats {
		r, err := render.New(f, render.WithFlows(flows))
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := r.Analysis(w, res.Report(), res.Flows()); err != nil {
			return err
		}
	}
	return nil
}
