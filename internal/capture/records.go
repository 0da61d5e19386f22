package capture

import (
	"errors"
	"io"
)

// chunkSize is how much input is read at once. Records that lie inside one
// chunk are returned straight out of it; one that straddles two is copied
// once into an arena.
const chunkSize = 512 << 10

// maxRecordLen bounds a record's length whatever its header claims, so that
// a corrupt length cannot make the reader allocate gigabytes.
const maxRecordLen = 64 << 20

// recordReader reads length-prefixed records from a stream of chunks and
// tracks the byte offset of what it consumed, for error messages.
//
// The unread input is pend (bytes carried over from earlier chunks, always
// the tail of arena) followed by cur (the rest of the current chunk).
//
// By default a slice that read or peek returns is valid until the next
// call. A reader that keeps (see keep) leaves every chunk it returned bytes
// of, and the arena, to its owner: a chunk it moves past goes to retired
// instead of back to the source, and the arena only grows, so that slices
// stay valid until the owner releases the chunks and resets the arena.
type recordReader struct {
	src   chunkSource
	ck    *chunk
	cur   []byte
	pend  []byte
	arena []byte
	// keep, retired: see the type's comment.
	keep    bool
	retired []*chunk
	// end is the error that ended the input (io.EOF at a clean end), once
	// the last chunk is used up.
	end error
	off int64
	// prefetched is how far into the current chunk prefetchAhead has
	// asked the cache to load.
	prefetched int
}

// newRecordReader reads r in the caller's goroutine.
func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{src: newSyncChunks(r)}
}

// close stops the chunk source.
func (r *recordReader) close() { r.src.close() }

// more makes the next chunk current; it returns false at the end of input.
func (r *recordReader) more() bool {
	if r.end != nil {
		return false
	}
	if c := r.ck; c != nil {
		if c.err != nil {
			r.end = c.err
			return false
		}
		r.ck = nil
		if r.keep && c.used {
			r.retired = append(r.retired, c)
		} else {
			r.src.release(c)
		}
	}
	r.ck = r.src.next()
	r.cur = r.ck.b
	r.prefetched = 0
	return true
}

// ensure makes the next n unread bytes contiguous and returns them, or as
// many as the input still holds and the error that ended it.
func (r *recordReader) ensure(n int) ([]byte, error) {
	if len(r.pend) == 0 {
		if n <= len(r.cur) {
			return r.cur[:n], nil
		}
		if !r.keep {
			r.arena = r.arena[:0]
		}
	}
	start := len(r.arena) - len(r.pend)
	for len(r.pend) < n {
		if len(r.cur) == 0 && !r.more() {
			return r.pend, r.end
		}
		// Grow as data arrives, so that a corrupt length on a short
		// input costs what the input holds, not what the length claims.
		k := min(n-len(r.pend), len(r.cur))
		r.arena = append(r.arena, r.cur[:k]...)
		r.cur = r.cur[k:]
		r.pend = r.arena[start:]
	}
	return r.pend[:n:n], nil
}

// peek returns the next n bytes without consuming them. io.EOF means the
// input ended cleanly before them; ErrCutShort means it ended partway.
func (r *recordReader) peek(n int) ([]byte, error) {
	b, err := r.ensure(n)
	if err != nil {
		return nil, r.endErr(len(b), err)
	}
	return b, nil
}

// read consumes the next n bytes and returns them.
func (r *recordReader) read(n int) ([]byte, error) {
	if len(r.pend) == 0 && n <= len(r.cur) {
		b := r.cur[:n:n]
		r.cur = r.cur[n:]
		r.off += int64(n)
		r.ck.used = true
		return b, nil
	}
	b, err := r.ensure(n)
	if err != nil {
		return nil, r.endErr(len(b), err)
	}
	r.off += int64(n)
	r.pend = r.pend[n:]
	return b, nil
}

// prefetchAhead keeps the cache loading the bytes up to prefetchDistance
// past the read position, in the current chunk. Framing reads a header
// every few hundred bytes and skips the payload between: too sparse for the
// hardware prefetcher to follow, so each header would wait for memory.
func (r *recordReader) prefetchAhead() {
	if r.ck == nil {
		return
	}
	pos := len(r.ck.b) - len(r.cur)
	from := max(r.prefetched, pos)
	if n := (min(pos+prefetchDistance, len(r.ck.b)) - from) / 64; n > 0 {
		prefetchLines(&r.ck.b[from], n)
		r.prefetched = from + n*64
	}
}

// prefetchDistance is how far ahead prefetchAhead loads: a few records,
// enough to cover the memory's latency.
const prefetchDistance = 4096

// endErr classifies a short read: nothing at all at a record boundary is a
// clean end; anything else means the input was cut.
func (r *recordReader) endErr(got int, err error) error {
	switch {
	case got == 0 && errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrCutShort
	}
	return err
}

// frame is one record as the framing layer returns it, before decoding.
type frame struct {
	data    []byte
	ts      int64 // Unix nanoseconds
	origLen int
	iface   int
	// bad, when set, is why the record cannot be decoded though the framing
	// around it is sound (a packet for an interface never described).
	bad Outcome
}

// frameReader reads records of one container format.
type frameReader interface {
	// next reads the next record into f. It returns io.EOF at the end.
	next(f *frame) error
	// offset is the byte offset of the next unread byte.
	offset() int64
}
