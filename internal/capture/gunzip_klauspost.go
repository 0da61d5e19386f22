//go:build !(isal && cgo && amd64)

package capture

import (
	"bufio"
	"io"

	"github.com/klauspost/compress/gzip"
)

// newInflater decompresses with github.com/klauspost/compress/gzip, a
// faster compress/gzip, in Go: the build without ISA-L (gunzip_isal.go).
func newInflater(r *bufio.Reader) (io.Reader, error) { return gzip.NewReader(r) }

// Inflater names the gzip decompressor of this build.
const Inflater = "klauspost/compress"
