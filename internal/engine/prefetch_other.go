//go:build !amd64

package engine

import "unsafe"

// prefetch2 does nothing where there is no prefetch instruction to call.
func prefetch2(a, b unsafe.Pointer) {}
