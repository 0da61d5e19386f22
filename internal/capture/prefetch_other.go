//go:build !amd64

package capture

// prefetchLines does nothing where there is no prefetch instruction to call.
func prefetchLines(*byte, int) {}
