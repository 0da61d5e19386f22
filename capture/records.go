package capture

import (
	"bufio"
	"errors"
	"io"
	"slices"
)

// readBufferSize is the read-ahead of file sources. Records up to this size
// are returned straight out of the buffer; larger ones are copied once.
const readBufferSize = 1 << 20

// maxRecordLen bounds a record's length whatever its header claims, so that
// a corrupt length cannot make the reader allocate gigabytes.
const maxRecordLen = 64 << 20

// recordReader reads length-prefixed records from a stream and tracks the
// byte offset of what it consumed, for error messages.
type recordReader struct {
	br  *bufio.Reader
	off int64
	big []byte
}

func newRecordReader(br *bufio.Reader) *recordReader { return &recordReader{br: br} }

// peek returns the next n bytes without consuming them. io.EOF means the
// input ended cleanly before them; ErrCutShort means it ended partway.
func (r *recordReader) peek(n int) ([]byte, error) {
	if n > r.br.Size() {
		return nil, errors.New("record larger than the read buffer")
	}
	b, err := r.br.Peek(n)
	if err == nil {
		return b, nil
	}
	return nil, r.endErr(len(b), err)
}

// read consumes the next n bytes and returns them. The slice is valid until
// the next call.
func (r *recordReader) read(n int) ([]byte, error) {
	if n <= r.br.Size() {
		b, err := r.br.Peek(n)
		if err != nil {
			return nil, r.endErr(len(b), err)
		}
		r.br.Discard(n)
		r.off += int64(n)
		return b, nil
	}
	// Grow the buffer as data arrives, so that a corrupt length on a short
	// input costs what the input holds, not what the length claims.
	b := r.big[:0]
	for len(b) < n {
		chunk := min(n-len(b), r.br.Size())
		b = slices.Grow(b, chunk)
		got, err := io.ReadFull(r.br, b[len(b):len(b)+chunk])
		b = b[:len(b)+got]
		r.off += int64(got)
		if err != nil {
			r.big = b[:0]
			return nil, r.endErr(len(b), err)
		}
	}
	r.big = b[:0]
	return b, nil
}

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
