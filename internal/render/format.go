package render

import (
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
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
	switch s {
	case "md":
		return Markdown, nil
	case "text":
		return Table, nil
	}
	return formatInvalid, fmt.Errorf("unknown output format %q, want one of %s", s, strings.Join(FormatNames(), ", "))
}

// Document is what a command prints; not every format can print every one.
type Document uint8

const (
	documentInvalid Document = iota
	// Analysis is the report of analyze and live.
	Analysis
	// Comparison is the report of compare.
	Comparison
	// ScopeDocument is a sidecar's predicted registry, from scope.
	ScopeDocument
	// CheckDocument is the outcome of check.
	CheckDocument
	numDocuments
)

var documentNames = [numDocuments]string{documentInvalid: "invalid", Analysis: "analyze", Comparison: "compare", ScopeDocument: "scope", CheckDocument: "check"}

// formatsOf lists the formats each document can be printed in.
var formatsOf = [numDocuments][]Format{
	Analysis:      {Table, JSON, YAML, Markdown, HTML},
	Comparison:    {Table, JSON, YAML, Markdown, HTML},
	ScopeDocument: {Table, JSON, YAML},
	CheckDocument: {Table, JSON, YAML},
}

// ParseFormatFor reads a format name (one vocabulary for every command:
// table, or text; json; yaml; markdown, or md; html) and checks that d can
// be printed in it.
func ParseFormatFor(s string, d Document) (Format, error) {
	f, err := ParseFormat(s)
	if err != nil {
		return f, err
	}
	if !slices.Contains(formatsOf[d], f) {
		names := make([]string, len(formatsOf[d]))
		for i, g := range formatsOf[d] {
			names[i] = g.String()
		}
		return formatInvalid, fmt.Errorf("%s cannot print %s output: use one of %s", documentNames[d], f, strings.Join(names, ", "))
	}
	return f, nil
}

// Renderer prints finished reports. A report's flows come beside it as a
// sequence (an engine.Result's Flows, made as they are read); nil means
// the report's own collected Flows. The summary-only table reads none;
// HTML reads the sequence twice, so it must yield the same flows each time.
type Renderer interface {
	// Analysis prints the report of `pcapcheck analyze`.
	Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error
	// Comparison prints the report of `pcapcheck compare`.
	Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error
	// Scope prints the predicted registry of `pcapcheck scope`.
	Scope(w io.Writer, s *report.Scope) error
	// Check prints the outcome of `pcapcheck check`.
	Check(w io.Writer, c *report.Check) error
}

// Option configures a Renderer.
type Option func(*options)

type options struct {
	flows bool
	color bool
	width int
}

// WithFlows makes the table and Markdown renderers list every flow, not
// only the summary. For a comparison it lists each side's flows. HTML
// always lists them.
func WithFlows(on bool) Option { return func(o *options) { o.flows = on } }

// WithColor makes the table renderer color verdicts with ANSI SGR
// sequences, the only escape sequences it ever writes. Decide with
// ColorMode.Enabled.
func WithColor(on bool) Option { return func(o *options) { o.color = on } }

// WithWidth makes the table renderer fit its tables to width columns (a
// terminal's), shortening names with a marker or stacking each row, and wrap
// its prose at spaces; 0, the default, prints tables as wide as their
// content.
func WithWidth(columns int) Option { return func(o *options) { o.width = columns } }

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
	return nil, fmt.Errorf("render: invalid format %d", f)
}

// sideWarnings lists both sides' warnings of a comparison, each saying
// its side.
func sideWarnings(c *report.Comparison) []string {
	var out []string
	for _, wn := range c.Before.Warnings {
		out = append(out, "before: "+wn)
	}
	for _, wn := range c.After.Warnings {
		out = append(out, "after: "+wn)
	}
	return out
}

// errNotPrintable is what a renderer says of a document its format cannot
// print; ParseFormatFor says it before any work is done.
func errNotPrintable(f Format, d Document) error {
	_, err := ParseFormatFor(f.String(), d)
	return err
}

func (tableRenderer) Scope(w io.Writer, s *report.Scope) error { return scopeTable(w, s) }
func (tableRenderer) Check(w io.Writer, c *report.Check) error { return checkText(w, c) }
func (jsonRenderer) Scope(w io.Writer, s *report.Scope) error  { return writeDocument(w, s) }
func (jsonRenderer) Check(w io.Writer, c *report.Check) error  { return writeDocument(w, c) }
func (yamlRenderer) Scope(w io.Writer, s *report.Scope) error  { return writeYAML(w, s) }
func (yamlRenderer) Check(w io.Writer, c *report.Check) error  { return writeYAML(w, c) }
func (markdownRenderer) Scope(io.Writer, *report.Scope) error {
	return errNotPrintable(Markdown, ScopeDocument)
}
func (markdownRenderer) Check(io.Writer, *report.Check) error {
	return errNotPrintable(Markdown, CheckDocument)
}
func (htmlRenderer) Scope(io.Writer, *report.Scope) error {
	return errNotPrintable(HTML, ScopeDocument)
}
func (htmlRenderer) Check(io.Writer, *report.Check) error {
	return errNotPrintable(HTML, CheckDocument)
}
