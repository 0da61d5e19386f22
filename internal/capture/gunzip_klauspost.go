//go:build !(isal && cgo && amd64)

package capture

import (
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/pcapcheck/pcapcheck/internal/capture/isal"
)

// newInflater decompresses with github.com/klauspost/compress/gzip, a
// faster compress/gzip, in Go: the build without ISA-L (gunzip_isal.go).
func newInflater(r isal.Input) (io.Reader, error) { return gzip.NewReader(r) }

// Inflater names the gzip decompressor of this build.
const Inflater = "klauspost/compress"
