package capture

import (
	"errors"
	"fmt"
)

// Errors a caller tells apart with errors.Is.
var (
	// ErrNotCapture: the input is not pcap, pcapng or tcpdump text. The
	// wrapping FileError says what it looks like instead.
	ErrNotCapture = errors.New("not a capture")
	// ErrInventoryText: the input that is not a capture looks like an
	// inventory (a kubectl or istioctl table, JSON or YAML); it comes with
	// ErrNotCapture.
	ErrInventoryText = errors.New("inventory text")
	// ErrCutShort: the input ends in the middle of a record or a gzip stream.
	// Everything before the offset was read and is valid.
	ErrCutShort = errors.New("ends in the middle of a record")
	// ErrCorrupt: a record's framing cannot be trusted (an impossible length),
	// so reading cannot continue past it.
	ErrCorrupt = errors.New("corrupt record")
	// ErrFileChanged: the file was cut short by another program while it
	// was being read.
	ErrFileChanged = errors.New("the file shrank while it was being read")
)

// FileError is an error reading one input, with where it happened.
type FileError struct {
	Path string
	// Offset is the byte offset in the (decompressed) input; -1 when unknown.
	Offset int64
	// Record is the 1-based number of the record being read; 0 when none.
	Record int
	Err    error
}

func (e *FileError) Error() string {
	switch {
	case e.Offset >= 0 && e.Record > 0:
		return fmt.Sprintf("capture: %s: record %d at byte %d: %v", e.Path, e.Record, e.Offset, e.Err)
	case e.Offset >= 0:
		return fmt.Sprintf("capture: %s: byte %d: %v", e.Path, e.Offset, e.Err)
	}
	return fmt.Sprintf("capture: %s: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// inventoryText is ErrNotCapture for input that looks like an inventory: its
// message is the wrapped one's, and it is also ErrInventoryText.
type inventoryText struct{ err error }

func (e *inventoryText) Error() string   { return e.err.Error() }
func (e *inventoryText) Unwrap() []error { return []error{e.err, ErrInventoryText} }
