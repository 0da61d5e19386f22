package source

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestDocuments pins where a syntax error is said to be: yaml.v3's parser
// counts "line N" from the line before the construct, its scanner does not,
// and it leaves the line out on the first line.
func TestDocuments(t *testing.T) {
	tests := []struct {
		name string
		in   string
		docs int    // documents yielded before the error, or in all
		line int    // of the *SyntaxError; 0 for none
		msg  string // of the *SyntaxError
	}{
		{"empty input", "", 0, 0, ""},
		{"a trailing ---", "a: 1\n---\n", 2, 0, ""},
		{"a parser error, counted from the line before", "a: 1\nb: [\n", 0, 3, "did not find expected node content"},
		{"a parser error at the end, kept on the last line", "a: 1\nb: {c: 1", 0, 2, "did not find expected ',' or '}'"},
		{"a scanner error", "a: 1\nb: 'x\n", 0, 2, "found unexpected end of stream"},
		{"an error on the first line, which yaml.v3 does not number", "\t- a\n", 0, 1, "found character that cannot start any token"},
		{"the documents before the bad one", "a: 1\n---\nb: [\n", 1, 4, "did not find expected node content"},
		{"a mapping value where none may be", "a: b: c\n", 0, 1, "mapping values are not allowed in this context"},
		{"carriage returns are YAML line breaks", "a: 1\rb: [\r\rc\r", 0, 1, "did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := collect(Documents([]byte(tt.in)))
			assert.Len(t, docs, tt.docs)
			if tt.line == 0 {
				require.NoError(t, err)
				return
			}
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, SyntaxError{Line: tt.line, Msg: tt.msg}, *se)
		})
	}
}

// TestDocumentsStopsEarly: a caller that takes the first document does not
// see (or pay for) a bad one after it.
func TestDocumentsStopsEarly(t *testing.T) {
	for n, err := range Documents([]byte("- a\n---\nb: [\n")) {
		require.NoError(t, err)
		assert.Equal(t, yaml.DocumentNode, n.Kind)
		break
	}
}

func TestJSONDocuments(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		line, column int
		msg          string
	}{
		{"valid JSON with escapes yaml.v3 does not know", `{"a": "x\/y", "b": "\ud83d\ude00"}`, 0, 0, ""},
		{"a null YAML would read", "{\n  \"a\": }", 2, 8, "invalid character '}' looking for beginning of value"},
		{"cut short", `{"a": [1,`, 1, 9, "unexpected end of JSON input"},
		{"characters, not bytes, make the column", "{\"é\": 1,,}", 1, 9, "invalid character ',' looking for beginning of object key string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := collect(JSONDocuments([]byte(tt.in)))
			if tt.msg == "" {
				require.NoError(t, err)
				require.Len(t, docs, 1)
				assert.Equal(t, "x/y", At(docs[0].Content[0], "a").Value)
				assert.Equal(t, "😀", At(docs[0].Content[0], "b").Value)
				return
			}
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, SyntaxError{Line: tt.line, Column: tt.column, Msg: tt.msg}, *se)
		})
	}
}

func collect(seq func(func(*yaml.Node, error) bool)) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	for n, err := range seq {
		if err != nil {
			return docs, err
		}
		docs = append(docs, n)
	}
	return docs, nil
}

// FuzzDocuments: no input panics, and a syntax error's line is within the
// input.
func FuzzDocuments(f *testing.F) {
	f.Add([]byte("a: 1\nb: [\n"))           // a parser error, counted from the line before
	f.Add([]byte("a: 'x\n"))                // a scanner error at the end of the input
	f.Add([]byte("a: &x [*x]\nb: *x\n"))    // an alias inside its own anchor
	f.Add([]byte("a: 1\n---\n- [\n"))       // a bad second document
	f.Add([]byte("%YAML 1.1\n%YAML 1.1\n")) // a directive twice
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		for _, err := range Documents(data) {
			if err == nil {
				continue
			}
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if se.Line < 0 || se.Line > lines {
				t.Fatalf("line %d outside the input's %d lines", se.Line, lines)
			}
		}
	})
}
