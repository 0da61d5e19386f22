//go:build !unix

package capture

import "os"

// newMmapChunks never maps on systems without mmap.
func newMmapChunks(*os.File, *countingReader) (chunkSource, bool) { return nil, false }

func guardFaults() {}
