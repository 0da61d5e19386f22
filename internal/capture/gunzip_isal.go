//go:build isal && cgo && amd64

package capture

import (
	"io"

	"github.com/pcapcheck/pcapcheck/internal/capture/isal"
)

// newInflater decompresses with Intel's ISA-L (capture/isal), in a build
// with the isal tag.
func newInflater(r isal.Input) (io.Reader, error) {
	z, err := isal.NewReader(r)
	if err != nil {
		return nil, err
	}
	return z, nil
}

// Inflater names the gzip decompressor of this build.
const Inflater = "ISA-L"
