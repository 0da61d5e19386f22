package capture

import (
	"errors"
	"io"
)

// chunk is one piece of input: its bytes, and on the last one the error that
// ended the input (io.EOF at a clean end).
type chunk struct {
	b   []byte
	err error
	// used is set when a record was returned straight out of b, so that b
	// must outlive the packet decoded from it.
	used bool
	// mapped is set when b is a window of a mapped file (mmap_unix.go).
	mapped bool
}

// chunkSource hands out the input chunk by chunk. Every chunk holds at least
// one byte or an error.
type chunkSource interface {
	// next returns the next chunk.
	next() *chunk
	// release gives back a chunk next returned: nothing refers to its bytes
	// any more. It may be called from any goroutine.
	release(c *chunk)
	// close stops reading; next must not be called after it.
	close()
}

// maxChunks is how many chunks a source has in flight: being filled,
// filled and waiting, being framed, and retired with the batches of packets
// that point into them (see batch.go).
const maxChunks = 12

// fillChunk reads from r into b until b is full or the input ends or fails.
// It returns the bytes read and, when the input ended, why.
func fillChunk(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 && n > 0 {
			return n, nil
		}
	}
	return n, nil
}

// chunkPool recycles chunks, allocating them as needed up to maxChunks.
// The first chunks are small, so that a small input costs little; each new
// one doubles up to chunkSize, and a small one that comes back once larger
// ones are made is dropped for a larger one.
type chunkPool struct {
	free chan *chunk
	made int
	size int // of the next chunk made
}

// firstChunkSize is the size of a source's first chunk.
const firstChunkSize = 64 << 10

func newChunkPool() *chunkPool {
	return &chunkPool{free: make(chan *chunk, maxChunks), size: firstChunkSize}
}

// get returns a free chunk, waiting for one when maxChunks are in use; it
// returns nil when stop is closed first.
func (p *chunkPool) get(stop <-chan struct{}) *chunk {
	for {
		select {
		case c := <-p.free:
			if p.keep(c) {
				return c
			}
			continue
		default:
		}
		if p.made < maxChunks {
			p.made++
			c := &chunk{b: make([]byte, p.size)}
			p.size = min(2*p.size, chunkSize)
			return c
		}
		select {
		case c := <-p.free:
			if p.keep(c) {
				return c
			}
		case <-stop:
			return nil
		}
	}
}

// keep reports whether a free chunk is large enough to use again; one that
// is not is dropped, and a larger one will be made in its place.
func (p *chunkPool) keep(c *chunk) bool {
	if cap(c.b) >= p.size {
		return true
	}
	p.made--
	return false
}

func (p *chunkPool) put(c *chunk) {
	c.b, c.err, c.used = c.b[:cap(c.b)], nil, false
	p.free <- c
}

// syncChunks reads in the caller's goroutine.
type syncChunks struct {
	r    io.Reader
	pool *chunkPool
	stop chan struct{}
}

func newSyncChunks(r io.Reader) *syncChunks {
	return &syncChunks{r: r, pool: newChunkPool(), stop: make(chan struct{})}
}

func (s *syncChunks) next() *chunk {
	c := s.pool.get(s.stop)
	if c == nil {
		return &chunk{err: errReadStopped}
	}
	n, err := fillChunk(s.r, c.b)
	c.b, c.err = c.b[:n], err
	return c
}

func (s *syncChunks) release(c *chunk) { s.pool.put(c) }

func (s *syncChunks) close() { closeOnce(s.stop) }

// closeOnce closes a stop channel unless it is closed already. Only one
// goroutine (the one that owns the source) calls it.
func closeOnce(stop chan struct{}) {
	select {
	case <-stop:
	default:
		close(stop)
	}
}

// readAhead reads (for gzip input: decompresses) in a goroutine of its own
// while the caller frames and decodes, so that the two run on separate
// cores. Filled chunks go to the caller over full; release returns them.
type readAhead struct {
	pool *chunkPool
	full chan *chunk
	stop chan struct{}
	// stopInput, when not nil, stops what r reads from when the source
	// is closed.
	stopInput func()
}

func newReadAhead(r io.Reader, stopInput func()) *readAhead {
	ra := &readAhead{pool: newChunkPool(), full: make(chan *chunk, maxChunks), stop: make(chan struct{}), stopInput: stopInput}
	go ra.loop(r)
	return ra
}

// errReadStopped ends the input of a source that was closed.
var errReadStopped = errors.New("capture: reading stopped")

func (ra *readAhead) loop(r io.Reader) {
	for {
		c := ra.pool.get(ra.stop)
		if c == nil {
			return
		}
		n, err := fillChunk(r, c.b)
		c.b, c.err = c.b[:n], err
		select {
		case ra.full <- c:
		case <-ra.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readAhead) next() *chunk {
	select {
	case c := <-ra.full:
		return c
	case <-ra.stop:
		return &chunk{err: errReadStopped}
	}
}

func (ra *readAhead) release(c *chunk) { ra.pool.put(c) }

func (ra *readAhead) close() {
	closeOnce(ra.stop)
	if ra.stopInput != nil {
		ra.stopInput()
	}
}
