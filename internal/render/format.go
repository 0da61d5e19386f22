package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// Format is an output format. The zero value is invalid.
type Format uint8

const (
	formatInvalid Format = iota
	Table
	JSON
	YAML
	Markdown
	// HTML is one self-contained page: inline CSS and SVG diagrams, no
	// scripts, no requests.
	HTML
	numFormats
)

var formatNames = [numFormats]string{formatInvalid: "invalid", Table: "table", JSON: "json", YAML: "yaml", Markdown: "markdown", HTML: "html"}

func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return "invalid"
}

// FormatNames lists the valid format names, for flag help.
func FormatNames() []string {
	var out []string
	for f := Table; f < numFormats; f++ {
		out = append(out, f.String())
	}
	return out
}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for f := Table; f < numFormats; f++ {
		if formatNames[f] == s {
			return f, nil
		}
	}
	if s == "md" {
		return Markdown, nil
	}
	return formatInvalid, fmt.Errorf("reports: unknown output format %q, want one of %s", s, strings.Join(FormatNames(), ", "))
}

// Renderer prints finished reports.
type Renderer interface {
	// Analysis prints the report of `pcapcheck analyze`.
	Analysis(w io.Writer, r *engine.Report) error
	// Comparison prints the report of `pcapcheck compare`.
	Comparison(w io.Writer, c *engine.Comparison) error
}

// Option configures a Renderer.
type Option func(*options)

type options struct {
	flows bool
	color bool
}

// WithFlows makes the table and Markdown renderers list every flow, not
// only the summary. For a comparison it lists each side's flows. HTML
// always lists them.
func WithFlows(on bool) Option { return func(o *options) { o.flows = on } }

// WithColor makes the table renderer color verdicts with ANSI SGR
// sequences, the only escape sequences it ever writes. Decide with
// ColorMode.Enabled.
func WithColor(on bool) Option { return func(o *options) { o.color = on } }

// New returns the renderer of format f.
func New(f Format, opts ...Option) (Renderer, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	switch f {
	case Table:
		return tableRenderer{o}, nil
	case JSON:
		return jsonRenderer{}, nil
	case YAML:
		return yamlRenderer{}, nil
	case Markdown:
		return markdownRenderer{o}, nil
	case HTML:
		return htmlRenderer{}, nil
	}
	return nil, fmt.Errorf("reports: invalid format %d", f)
}

// summaryOnly makes the flows of a streamed report without keeping them,
// for a renderer that prints only the summary and warnings: the default
// table of a million flows then holds none of them.
func summaryOnly(r *engine.Report) error {
	if !r.Streaming() {
		return nil
	}
	return r.EachFlow(func(*engine.Flow) error { return nil })
}

// sideWarnings lists both sides' warnings of a comparison, each saying
// its side.
func sideWarnings(c *engine.Comparison) []string {
	var out []string
	for _, wn := range c.Before.Warnings {
		out = append(out, "before: "+wn)
	}
	for _, wn := range c.After.Warnings {
		out = append(out, "after: "+wn)
	}
	return out
}
