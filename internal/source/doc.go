// Package source reads YAML and JSON input so that every value keeps the
// line and column it came from, and names that place when a value is wrong.
// The inventory, Istio and expectations readers all read through it.
//
// # What it accepts
//
// Documents and JSONDocuments take the bytes of one file: YAML of any number
// of documents, or one JSON value, which is checked with encoding/json (YAML
// accepts some of what JSON does not) and then read as YAML. They yield
// go.yaml.in/yaml/v3 node trees. The walkers (Resolve, Field, At, FieldOf,
// IsNull) follow aliases a bounded number of hops, so that an alias cycle
// cannot loop, and read a missing key as nil. The field readers (Str, Bool,
// Port, List, Mapping, StrMap) take one value of a known shape or return a
// Problem saying what was found instead.
//
// # What it guarantees
//
// Input that is not YAML or JSON is a *SyntaxError with the 1-based line (and
// for JSON the column, in characters) where the parser stopped, never a
// panic: a panic inside the YAML library is turned into a *SyntaxError
// without a line. yaml.v3 counts the line of a parser error from the line
// before the construct that failed and leaves "line N" out for its first
// line; SyntaxError's Line is corrected for both and never lies past the last
// line of the input.
//
// Every error about a place in a file is an *Error: who read it (Prefix),
// the path, line and column, and an Err that errors.Is matches to the
// reading package's sentinel (ErrInvalid, ErrSyntax, ...). Its text is
// "prefix: path:line:column: message", with the parts that are not known
// left out (Where). A Reader builds such errors for the fields of one
// document.
//
// # What allocates
//
// Decoding allocates the node tree of the whole document; JSON input is
// copied once into its YAML spelling. The walkers, Str and Port do not
// allocate, Bool only for a value not in lower case; List returns the node's
// own Content (callers must not change it), StrMap a new map, and an error
// allocates its message.
//
// # Concurrency
//
// The package holds no state. Node trees are not changed by anything here
// and may be read from several goroutines once decoded. A Reader is a value
// and may be copied freely.
package source
