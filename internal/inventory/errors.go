package inventory

import (
	"errors"
	"fmt"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Errors a caller tells apart with errors.Is. Each is wrapped in an *Error
// that says where it happened and what was expected.
var (
	// ErrUnrecognized: the content is none of the inventory formats. Load
	// skips such a file with a warning when it was found in a directory, and
	// fails when it was named explicitly.
	ErrUnrecognized = errors.New("not an inventory")
	// ErrSyntax: the file is of a known kind but cannot be split into its
	// parts: malformed JSON or YAML, or a table row that does not fit its
	// header.
	ErrSyntax = errors.New("syntax error")
	// ErrInvalid: a value has the wrong shape for its field: an IP address
	// that does not parse, a port out of range, a list where a string belongs.
	ErrInvalid = errors.New("invalid value")
	// ErrRead: the file or directory could not be read at all.
	ErrRead = errors.New("cannot read")
)

// Error is an error reading one inventory file, with where it happened.
type Error struct {
	Path string
	// Line and Column are 1-based; 0 when unknown or not meaningful (a whole
	// file, a JSON document as a whole). Column counts characters, not bytes.
	Line, Column int
	Err          error
}

func (e *Error) Error() string {
	return "inventory: " + source.Where(e.Path, e.Line, e.Column) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// problem is the Err of an *Error: a message that reads on its own and a
// sentinel that errors.Is finds behind it.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

func newProblem(kind error, format string, args ...any) error {
	return &problem{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// errAt builds an *Error at a position of path.
func errAt(path string, line, col int, kind error, format string, args ...any) *Error {
	return &Error{Path: path, Line: line, Column: col, Err: newProblem(kind, format, args...)}
}

// quote returns s quoted for an error message, shortened so that a huge
// line does not become a huge error.
func quote(s string) string { return source.Quote(s) }
