package source

import (
	"fmt"
	"strconv"
)

// Error is an error about a place in an input file: the one error type of
// every reader of positioned input (the inventory, the Istio configuration,
// the expectations file).
type Error struct {
	// Prefix names the reader the caller called, and starts the message:
	// "inventory", "mesh", "check". An error made for another package's
	// load (a document the inventory handed over) has none until that
	// package's load returns it.
	Prefix string
	Path   string
	// Line and Column are 1-based; 0 when unknown or not meaningful (a whole
	// file, a JSON document as a whole, a value inside a folded string).
	// Column counts characters, not bytes.
	Line, Column int
	Err          error
}

func (e *Error) Error() string {
	where := Where(e.Path, e.Line, e.Column) + ": " + e.Err.Error()
	if e.Prefix == "" {
		return where
	}
	return e.Prefix + ": " + where
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error whose text is the formatted message alone and
// which errors.Is matches to kind, a package's sentinel: the sentinel says
// what a caller does about it, the text what was expected and found.
func Errorf(kind error, format string, args ...any) error {
	return &message{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type message struct {
	kind error
	msg  string
}

func (m *message) Error() string { return m.msg }
func (m *message) Unwrap() error { return m.kind }

// Where names a place in a file as compilers do: "path:line:column",
// "path:line" when the column is not known, "path" when the line is not.
func Where(path string, line, column int) string {
	switch {
	case line > 0 && column > 0:
		return path + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(column)
	case line > 0:
		return path + ":" + strconv.Itoa(line)
	}
	return path
}
