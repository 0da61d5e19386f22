package reports

import (
	"encoding/json"
	"io"

	"github.com/pcapcheck/pcapcheck/analyze"
)

// jsonRenderer writes the documented JSON schema, indented. encoding/json
// escapes control characters and replaces invalid UTF-8, so untrusted
// strings come out as data.
type jsonRenderer struct{}

func (jsonRenderer) Analysis(w io.Writer, r *analyze.Report) error { return writeJSON(w, r) }

func (jsonRenderer) Comparison(w io.Writer, c *analyze.Comparison) error { return writeJSON(w, c) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
