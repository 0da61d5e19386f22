package capture

import (
	"bufio"
	"io"

	"github.com/pcapcheck/pcapcheck/internal/capture/isal"
)

// gzipBlockSize is how much compressed input is read at once, and
// gzipBlocks how many such blocks are in flight: being read, read and
// waiting, and being inflated.
//
// Measured on the 98 MB gzip capture of make bench (issue 15, a 2-core
// VM): reading the file in the inflating goroutine, through a 64 KiB
// bufio.Reader, put the copy out of the page cache (5% of the run's
// samples) on the critical path; reading it here, on the other core, cut
// the analysis by that much.
const (
	gzipBlockSize = 1 << 20
	gzipBlocks    = 4
)

// gzipInput reads compressed input in a goroutine of its own, a block
// ahead of the inflater, and hands each block to it in place: it is the
// isal.Input the inflater reads from. The read's system call and its copy
// out of the page cache then run on the core the framing goroutine uses,
// which has time to spare, rather than on the inflating one, which has
// none. The input is read, not mapped: a file cut short while it is mapped
// faults, and a fault in the inflater's C code cannot be recovered.
//
// Its reading methods are called by one goroutine at a time (the one that
// opens the source, then the one that inflates); close by the source's
// owner.
type gzipInput struct {
	// cur is what is left to read of block, the block being read.
	cur, block []byte
	// err is what ended the input, once its last block is current.
	err  error
	full chan filledBlock
	free chan []byte
	stop chan struct{}
}

// filledBlock is a block read, and on the last one what ended the input.
type filledBlock struct {
	b   []byte
	err error
}

var _ isal.Input = (*gzipInput)(nil)

// newGzipInput starts reading r.
func newGzipInput(r io.Reader) *gzipInput {
	in := &gzipInput{
		full: make(chan filledBlock, gzipBlocks),
		free: make(chan []byte, gzipBlocks),
		stop: make(chan struct{}),
	}
	go in.loop(r, gzipBlocks-1)
	return in
}

// loop reads r a block at a time, making up to spare blocks beyond the
// first as it needs them. A block holds what one read returned, so that
// input arriving slowly through a pipe is inflated as it comes.
func (in *gzipInput) loop(r io.Reader, spare int) {
	b := make([]byte, gzipBlockSize)
	for {
		n, err := r.Read(b)
		if n == 0 && err == nil {
			continue
		}
		select {
		case in.full <- filledBlock{b[:n], err}:
		case <-in.stop:
			return
		}
		if err != nil {
			return
		}
		select {
		case b = <-in.free:
		default:
			if spare > 0 {
				spare--
				b = make([]byte, gzipBlockSize)
				continue
			}
			select {
			case b = <-in.free:
			case <-in.stop:
				return
			}
		}
	}
}

// more makes the next block current, giving the current one back; it
// returns false when the input has ended.
func (in *gzipInput) more() bool {
	if in.err != nil {
		return false
	}
	if in.block != nil {
		// free holds every block: this never waits.
		in.free <- in.block[:cap(in.block)]
		in.block = nil
	}
	select {
	case f := <-in.full:
		in.block, in.cur, in.err = f.b, f.b, f.err
	case <-in.stop:
		in.err = errReadStopped
	}
	return true
}

// Buffered is what is left of the current block.
func (in *gzipInput) Buffered() int { return len(in.cur) }

// Peek returns the next n bytes, from the current block only: when it
// holds fewer, they come with bufio.ErrBufferFull, or with what ended the
// input after the last block.
func (in *gzipInput) Peek(n int) ([]byte, error) {
	for len(in.cur) == 0 && in.more() {
	}
	if len(in.cur) >= n {
		return in.cur[:n], nil
	}
	if in.err != nil {
		return in.cur, in.err
	}
	return in.cur, bufio.ErrBufferFull
}

func (in *gzipInput) Discard(n int) (int, error) {
	done := 0
	for done < n {
		if len(in.cur) == 0 && !in.more() {
			return done, in.err
		}
		k := min(n-done, len(in.cur))
		in.cur = in.cur[k:]
		done += k
	}
	return done, nil
}

func (in *gzipInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(in.cur) == 0 {
		if !in.more() {
			return 0, in.err
		}
	}
	n := copy(p, in.cur)
	in.cur = in.cur[n:]
	return n, nil
}

func (in *gzipInput) ReadByte() (byte, error) {
	for len(in.cur) == 0 {
		if !in.more() {
			return 0, in.err
		}
	}
	c := in.cur[0]
	in.cur = in.cur[1:]
	return c, nil
}

// close stops the reading goroutine.
func (in *gzipInput) close() { closeOnce(in.stop) }
