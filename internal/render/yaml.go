package render

import (
	"io"
	"iter"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// yamlRenderer writes the same data as JSON, in YAML. YAML has no
// streaming encoder for one document, so it holds every flow.
type yamlRenderer struct{}

func (yamlRenderer) Analysis(w io.Writer, r *report.Report, flows iter.Seq[*report.Flow]) error {
	return writeYAML(w, withFlows(r, flows))
}

func (yamlRenderer) Comparison(w io.Writer, c *report.Comparison, before, after iter.Seq[*report.Flow]) error {
	full := *c
	full.Before, full.After = withFlows(c.Before, before), withFlows(c.After, after)
	return writeYAML(w, &full)
}

// withFlows is r with its flows collected from flows.
func withFlows(r *report.Report, flows iter.Seq[*report.Flow]) *report.Report {
	if flows == nil {
		return r
	}
	full := *r
	full.Flows = collect(r, flows)
	return &full
}

func writeYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
