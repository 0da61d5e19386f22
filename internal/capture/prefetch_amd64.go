package capture

// prefetchLines asks the CPU to start loading the n cache lines (64 bytes
// each) from p, without waiting for them: PREFETCHT0, which never faults.
//
//go:noescape
func prefetchLines(p *byte, n int)
