package isal

import (
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Input is what gzip data is read from. *bufio.Reader is one. A Reader
// asks Peek for at most max(Buffered(), 1) bytes and inflates them in place,
// so an Input that holds its data in blocks can hand each one over without
// copying it: Buffered is then what is left of the current block, and Peek
// moves to the next block when it is used up.
type Input interface {
	io.Reader
	io.ByteReader
	// Buffered is how many bytes Peek returns without reading more.
	Buffered() int
	// Peek returns the next n bytes without consuming them, or fewer with
	// an error.
	Peek(n int) ([]byte, error)
	// Discard skips the next n bytes.
	Discard(n int) (int, error)
}

// Flags of a gzip member header (RFC 1952, 2.3.1).
const (
	gzipFlagHCRC    = 1 << 1
	gzipFlagExtra   = 1 << 2
	gzipFlagName    = 1 << 3
	gzipFlagComment = 1 << 4
	gzipFlagsKnown  = 1<<5 - 1
)

// ReadHeader reads one gzip member header from r, as RFC 1952 lays it out:
// magic, method 8 (deflate), flags, time, extra flags and OS, then the
// optional extra field, name, comment and header CRC. It checks what
// klauspost/compress's gzip.Reader checks, in the same order: io.EOF for
// no header at all, io.ErrUnexpectedEOF for one that ends early,
// gzip.ErrHeader for anything else wrong (a name or comment of 512 bytes or
// more, as there).
func ReadHeader(r Input) error {
	var head [10]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		if n == 0 {
			return io.EOF
		}
		return io.ErrUnexpectedEOF
	}
	if head[0] != 0x1F || head[1] != 0x8B || head[2] != 8 {
		return gzip.ErrHeader
	}
	flags := head[3]
	crc := crc32.ChecksumIEEE(head[:])
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		crc = crc32.Update(crc, crc32.IEEETable, b)
		return b, nil
	}
	if flags&gzipFlagExtra != 0 {
		n, err := read(2)
		if err != nil {
			return err
		}
		if _, err := read(int(binary.LittleEndian.Uint16(n))); err != nil {
			return err
		}
	}
	for _, f := range []byte{gzipFlagName, gzipFlagComment} {
		if flags&f == 0 {
			continue
		}
		for i := 0; ; i++ {
			if i >= maxHeaderString {
				return gzip.ErrHeader
			}
			c, err := r.ReadByte()
			if err != nil {
				return io.ErrUnexpectedEOF
			}
			crc = crc32.Update(crc, crc32.IEEETable, []byte{c})
			if c == 0 {
				break
			}
		}
	}
	if flags&gzipFlagHCRC != 0 {
		want := uint16(crc)
		b, err := read(2)
		if err != nil {
			return err
		}
		if binary.LittleEndian.Uint16(b) != want {
			return gzip.ErrHeader
		}
	}
	if flags&^gzipFlagsKnown != 0 {
		return gzip.ErrHeader
	}
	return nil
}

// maxHeaderString is the length from which klauspost/compress refuses a
// header's name or comment, its terminating zero included.
const maxHeaderString = 512
