package merge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// FinalLine is the line `pcapcheck agent` writes to stderr after its last
// report: in a pod's log, which holds both streams, it says that the report
// line before it is the final one (kubectl pcapcheck audit waits for it).
const FinalLine = "pcapcheck agent: final report written"

// ErrNoReport is wrapped by Read's error when the input holds no
// pcapcheck report.
var ErrNoReport = errors.New("no pcapcheck report")

// ReadError is an input Read could not take, naming it.
type ReadError struct {
	Name string
	// Line is the 1-based line of the bad report in a log, 0 for a whole
	// document.
	Line int
	Err  error
}

func (e *ReadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("merge: %s:%d: %v", e.Name, e.Line, e.Err)
	}
	return fmt.Sprintf("merge: %s: %v", e.Name, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// maxReport bounds what one input may hold.
const maxReport = 1 << 30

// ReadFile reads a report from a file (see Read). A report that names no
// node is given the file's name without its extension.
func ReadFile(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ReadError{Name: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	r, err := Read(path, f)
	if err != nil {
		return nil, err
	}
	if r.Node == "" {
		r.Node = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return r, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read reads one node's report: a JSON document (`pcapcheck analyze -o
// json`, or the file of `pcapcheck agent --write-report`), or an agent's
// log, where each report is one line of JSON among other lines; the last
// complete report of the log is the node's (a log cut in the middle of a
// line keeps the report before). name is used in errors only.
//
// The errors are *ReadError: the input cannot be read, holds no report
// (ErrNoReport), or its report is of another schema.
func Read(name string, r io.Reader) (*report.Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReport+1))
	if err != nil {
		return nil, &ReadError{Name: name, Err: err}
	}
	if len(data) > maxReport {
		return nil, &ReadError{Name: name, Err: fmt.Errorf("larger than %d MiB: expected one node's report", maxReport>>20)}
	}
	rep, line, err := lastReport(data)
	if err != nil {
		return nil, &ReadError{Name: name, Line: line, Err: err}
	}
	return rep, nil
}

// lastReport finds the document's report, or the log's last.
func lastReport(data []byte) (*report.Report, int, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, 0, fmt.Errorf("%w: the input is empty: expected the JSON of pcapcheck agent or pcapcheck analyze -o json", ErrNoReport)
	}
	// A whole document: one JSON value, however indented.
	if trimmed[0] == '{' && json.Valid(trimmed) {
		rep, err := decode(trimmed)
		return rep, 0, err
	}
	var (
		last    *report.Report
		lastErr error
		errLine int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxReport)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		// Kubernetes may prefix a log line with its time (kubectl logs
		// --timestamps): start at the first brace.
		if i := bytes.IndexByte(line, '{'); i > 0 && !bytes.Contains(line[:i], []byte{'"'}) {
			line = line[i:]
		}
		if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"schema"`)) {
			continue
		}
		if !json.Valid(line) {
			lastErr, errLine = errors.New("a report cut short (the agent stopped while writing it?)"), n
			continue
		}
		rep, err := decode(line)
		if err != nil {
			lastErr, errLine = err, n
			continue
		}
		last, lastErr = rep, nil
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	if last != nil {
		return last, 0, nil
	}
	if lastErr != nil {
		return nil, errLine, lastErr
	}
	return nil, 0, fmt.Errorf("%w in it: expected the JSON of pcapcheck agent or pcapcheck analyze -o json", ErrNoReport)
}

// decode reads a report and checks its schema.
func decode(b []byte) (*report.Report, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("not a pcapcheck report: %w", err)
	}
	if head.Schema != report.SchemaAnalyze {
		if head.Schema == "" {
			return nil, fmt.Errorf("%w: a JSON document without \"schema\": expected the JSON of pcapcheck agent or pcapcheck analyze -o json", ErrNoReport)
		}
		return nil, fmt.Errorf("a report of schema %q: merge reads %q (pcapcheck agent, pcapcheck analyze -o json)", head.Schema, report.SchemaAnalyze)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("a %s report that does not read back: %w", report.SchemaAnalyze, err)
	}
	return &rep, nil
}
