package render

import (
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// yamlRenderer writes the same data as JSON, in YAML.
type yamlRenderer struct{}

func (yamlRenderer) Analysis(w io.Writer, r *engine.Report) error {
	r.Collect()
	return writeYAML(w, r)
}

func (yamlRenderer) Comparison(w io.Writer, c *engine.Comparison) error { return writeYAML(w, c) }

func writeYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
