package render

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inParallel calls f(i) for every i in [0, n), on as many goroutines as
// Go runs at once, and returns when every call has. The calls must not
// share anything they write.
func inParallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
