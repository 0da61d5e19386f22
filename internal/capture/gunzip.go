package capture

import (
	"io"

	"github.com/pcapcheck/pcapcheck/internal/capture/isal"
)

// newGunzip returns a reader of the data a gzip stream r holds, all its
// members one after the other, having read the first member's header: an
// error then is about the header. Errors while reading are
// gzip.ErrHeader, gzip.ErrChecksum, a flate.CorruptInputError, or
// io.ErrUnexpectedEOF for a stream that ends early, whichever inflater
// reads (gunzip_isal.go, gunzip_klauspost.go).
func newGunzip(r isal.Input) (io.Reader, error) { return newInflater(r) }
