package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is input that is not YAML or JSON: where the parser stopped
// and what it said, without the position.
type SyntaxError struct {
	// Line is 1-based; 0 when the parser did not say (it panicked). Column
	// is known for JSON only.
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string { return e.Msg }

// Documents yields the documents of YAML data in order, each a
// DocumentNode (its one child the document's value). On input that is not
// YAML it yields the documents before the bad one and then a nil node with
// a *SyntaxError, and stops. Empty input yields nothing. A caller that
// wants only the first document stops after it, and what follows is not
// parsed.
func Documents(data []byte) iter.Seq2[*yaml.Node, error] {
	return func(yield func(*yaml.Node, error) bool) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			n, err := decodeOne(dec)
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, syntaxError(err, data))
				return
			}
			if !yield(n, nil) {
				return
			}
		}
	}
}

// JSONDocuments is Documents for JSON: data must be valid JSON, which
// yields one document; otherwise it yields a *SyntaxError at the line and
// column encoding/json stopped at. The JSON is read as YAML to keep
// positions, spelled first as the YAML that means the same (jsonForYAML).
func JSONDocuments(data []byte) iter.Seq2[*yaml.Node, error] {
	if err := checkJSON(data); err != nil {
		return func(yield func(*yaml.Node, error) bool) { yield(nil, err) }
	}
	return Documents(jsonForYAML(data))
}

// decodeOne decodes the next document. yaml.v3 has panicked on malformed
// input in the past; input that makes it panic is malformed, not a reason
// to crash.
func decodeOne(dec *yaml.Decoder) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, &SyntaxError{Msg: fmt.Sprint(r)}
		}
	}()
	n = &yaml.Node{}
	if err := dec.Decode(n); err != nil {
		return nil, err
	}
	return n, nil
}

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// yamlParserError matches the messages of yaml.v3's parser (as opposed
	// to its scanner), whose "line N" counts from 0: it is the line before
	// the construct that failed.
	yamlParserError = regexp.MustCompile(`^(did not find expected (key|node content|',' or|'-' indicator|<)|found (duplicate|incompatible|undefined tag handle))`)
)

// syntaxError turns a yaml.v3 error about data into a *SyntaxError with
// the 1-based line it is about. yaml.v3 leaves "line N" out for line 0,
// its first line; at the end of the input it may point past the last line.
func syntaxError(err error, data []byte) *SyntaxError {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se
	}
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &SyntaxError{Line: 1, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	n, _ := strconv.Atoi(m[1])
	if yamlParserError.MatchString(m[2]) {
		n++
	}
	return &SyntaxError{Line: min(n, bytes.Count(data, []byte{'\n'})+1), Msg: m[2]}
}

// checkJSON reports where data is not valid JSON: YAML would accept some
// of what JSON does not ({"a": } is a null to YAML).
func checkJSON(data []byte) *SyntaxError {
	var raw json.RawMessage
	err := json.Unmarshal(data, &raw)
	if err == nil {
		return nil
	}
	var serr *json.SyntaxError
	if !errors.As(err, &serr) {
		return &SyntaxError{Msg: err.Error()}
	}
	line, col := lineCol(data, int(serr.Offset)-1)
	return &SyntaxError{Line: line, Column: col, Msg: serr.Error()}
}

// lineCol returns the 1-based line and character column of byte offset off.
func lineCol(data []byte, off int) (int, int) {
	off = max(0, min(off, len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[start:]))) + 1
}
