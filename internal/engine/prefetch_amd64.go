package engine

import "unsafe"

// prefetch2 asks the CPU to start loading the cache lines at a and b
// without waiting for them: PREFETCHT0, which never faults, so either may
// point anywhere.
//
//go:noescape
func prefetch2(a, b unsafe.Pointer)
