package inventory

import (
	"errors"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Errors a caller tells apart with errors.Is. Each is wrapped in a
// *source.Error that says where it happened and what was expected.
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

// prefix starts the message of every error of an inventory load.
const prefix = "inventory"

// errAt builds an error at a position of path.
func errAt(path string, line, col int, kind error, format string, args ...any) *source.Error {
	return &source.Error{Prefix: prefix, Path: path, Line: line, Column: col, Err: source.Errorf(kind, format, args...)}
}

// quote returns s quoted for an error message, shortened so that a huge
// line does not become a huge error.
func quote(s string) string { return source.Quote(s) }
