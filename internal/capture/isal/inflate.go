//go:build isal && cgo && amd64

package isal

/*
#cgo LDFLAGS: -lisal
#include <isa-l/igzip_lib.h>
#include <stdlib.h>

static struct inflate_state *isal_new_state(void) {
	struct inflate_state *s = malloc(sizeof *s);
	if (s != NULL) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP_NO_HDR_VER;
	}
	return s;
}

static void isal_next_member(struct inflate_state *s) {
	isal_inflate_reset(s);
	s->crc_flag = ISAL_GZIP_NO_HDR_VER;
}

// isal_step inflates from in into out and says how much of each it used.
// The Go buffers are not kept: the state's pointers to them are cleared
// before it returns, as cgo's rules for passing Go memory require.
static int isal_step(struct inflate_state *s, uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_len,
		uint32_t *used, uint32_t *made, int *finished) {
	s->next_in = in;
	s->avail_in = in_len;
	s->next_out = out;
	s->avail_out = out_len;
	int ret = isal_inflate(s);
	*used = in_len - s->avail_in;
	*made = out_len - s->avail_out;
	*finished = s->block_state == ISAL_BLOCK_FINISH;
	s->next_in = NULL;
	s->avail_in = 0;
	s->next_out = NULL;
	s->avail_out = 0;
	return ret;
}
*/
import "C"

import (
	"errors"
	"io"
	"runtime"
	"unsafe"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// Reader decompresses with Intel's ISA-L (igzip), two to three times as
// fast as compress/gzip and about twice as fast as klauspost/compress on
// the captures of make bench. It reads the member headers itself
// (ReadHeader); ISA-L inflates the deflate data and checks each
// member's CRC and length.
type Reader struct {
	src Input
	st  *C.struct_inflate_state
	// in is how many compressed bytes have been inflated, to say where
	// corrupt data starts as klauspost/compress does.
	in  int64
	err error
}

// NewReader reads the first member header from r and returns a Reader of
// the data of r's members. Errors are those of gzip.Reader: gzip.ErrHeader,
// gzip.ErrChecksum, a flate.CorruptInputError, io.ErrUnexpectedEOF.
func NewReader(r Input) (*Reader, error) {
	if err := ReadHeader(r); err != nil {
		return nil, err
	}
	st := C.isal_new_state()
	if st == nil {
		return nil, errors.New("isal: cannot allocate the ISA-L inflate state")
	}
	z := &Reader{src: r, st: st}
	runtime.AddCleanup(z, func(st *C.struct_inflate_state) { C.free(unsafe.Pointer(st)) }, st)
	return z, nil
}

func (z *Reader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	p = p[:min(len(p), 1<<30)]
	for {
		in, peekErr := z.src.Peek(max(z.src.Buffered(), 1))
		var used, made C.uint32_t
		var finished C.int
		var inPtr *C.uint8_t
		if len(in) > 0 {
			inPtr = (*C.uint8_t)(unsafe.Pointer(&in[0]))
		}
		ret := C.isal_step(z.st, inPtr, C.uint32_t(len(in)), (*C.uint8_t)(unsafe.Pointer(&p[0])), C.uint32_t(len(p)),
			&used, &made, &finished)
		z.src.Discard(int(used))
		z.in += int64(used)
		n := int(made)
		switch {
		case ret == C.ISAL_INCORRECT_CHECKSUM:
			z.err = gzip.ErrChecksum
		case ret < 0:
			z.err = flate.CorruptInputError(z.in)
		case finished != 0:
			z.err = z.nextMember()
		case used == 0 && made == 0 && len(in) == 0 && peekErr != nil:
			// The input ended inside a member.
			z.err = io.ErrUnexpectedEOF
		}
		if n > 0 || z.err != nil {
			if z.err != nil && n > 0 && z.err != io.EOF {
				// Return what was made; the error comes with the next call.
				return n, nil
			}
			return n, z.err
		}
	}
}

// nextMember starts on the member after a finished one: io.EOF when the
// input ends there, like a gzip.Reader reading several members.
func (z *Reader) nextMember() error {
	if _, err := z.src.Peek(1); err != nil {
		return io.EOF
	}
	if err := ReadHeader(z.src); err != nil {
		return err
	}
	C.isal_next_member(z.st)
	return nil
}
