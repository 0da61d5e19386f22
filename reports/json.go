package reports

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/pcapcheck/pcapcheck/analyze"
)

// jsonRenderer writes the documented JSON schema, indented. encoding/json
// escapes C0 control characters and replaces invalid UTF-8; writeJSON
// escapes the C1 controls it leaves raw, so untrusted strings come out as
// data whatever displays them.
type jsonRenderer struct{}

func (jsonRenderer) Analysis(w io.Writer, r *analyze.Report) error { return writeJSON(w, r) }

func (jsonRenderer) Comparison(w io.Writer, c *analyze.Comparison) error { return writeJSON(w, c) }

func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeC1(b.Bytes()))
	return err
}

// escapeC1 rewrites the C1 control characters U+0080 to U+009F (UTF-8
// C2 80 to C2 9F) as \u00XX. Valid JSON holds them only inside strings,
// where the escape means the same character.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xC2}) {
		return b
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+64)
	for i := 0; i < len(b); i++ {
		if b[i] == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F {
			out = append(out, '\\', 'u', '0', '0', hex[b[i+1]>>4], hex[b[i+1]&0xF])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}
