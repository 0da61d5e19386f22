//go:build unix

package capture

import (
	"io"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
)

// mmapWindow is how much of a regular file is mapped at once. Mapping
// spares the copy a read makes; windows are unmapped as soon as no packet
// points into them, so that the resident size stays a few windows.
//
// Measured against read() into reused 512 KiB chunks (issue 15, a 2-core
// VM whose page cache reads at 16 GB/s): framing a 300,000-packet capture
// cost 60 CPU ns a packet mapped, 82-88 read (the copy, into buffers that
// rotate through more than the L2 cache), and 128-256 KiB chunks did no
// better; the whole 1.5 GB analysis 0.55 s of CPU mapped, 0.66 s read.
// Windows of 512 KiB cost more, 8 MiB no less than 2 MiB, and
// MAP_POPULATE neither more nor less than faulting page by page.
const mmapWindow = 2 << 20

// mmapChunks maps a regular file window by window.
type mmapChunks struct {
	f *os.File
	// rc reaches f's descriptor under f's own reference count, so that
	// Close in another goroutine waits for a mapping in progress and makes
	// later ones fail, rather than leave a descriptor number another open
	// may reuse.
	rc      syscall.RawConn
	size    int64
	off     int64
	counted *countingReader

	// released are windows nothing points into any more, unmapped by the
	// goroutine that maps (see release); spare is the slice they are
	// swapped out into. closed is set once close has run: a window
	// released afterwards is unmapped at once.
	mu       sync.Mutex
	released [][]byte
	spare    [][]byte
	closed   bool
}

// newMmapChunks returns a chunk source mapping f from offset 0, or false
// when f is not a regular file that can be mapped.
func newMmapChunks(f *os.File, counted *countingReader) (*mmapChunks, bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false
	}
	return &mmapChunks{f: f, rc: rc, size: fi.Size(), counted: counted}, true
}

func (m *mmapChunks) next() *chunk {
	m.unmapReleased()
	if m.off >= m.size {
		// A capture still being written may have grown.
		if fi, err := m.f.Stat(); err == nil && fi.Size() > m.size {
			m.size = fi.Size()
		} else {
			return &chunk{err: io.EOF}
		}
	}
	n := min(mmapWindow, m.size-m.off)
	var b []byte
	var err error
	if cerr := m.rc.Control(func(fd uintptr) {
		b, err = syscall.Mmap(int(fd), m.off, int(n), syscall.PROT_READ, syscall.MAP_SHARED|mapPopulate)
	}); cerr != nil {
		err = cerr
	}
	if err != nil {
		return &chunk{err: err}
	}
	m.off += n
	// The counter also saw what was sniffed through a buffer; what is read
	// from the file is what is mapped.
	m.counted.n.Store(m.off)
	return &chunk{b: b, mapped: true}
}

// release hands a window back. It is called by the analyzer's goroutine,
// the busier of the two, and unmapping costs a system call and a TLB
// flush of the other core: the window is left for the goroutine that maps
// to unmap, before it maps the next one.
func (m *mmapChunks) release(c *chunk) {
	if !c.mapped {
		return
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		syscall.Munmap(c.b)
	} else {
		m.released = append(m.released, c.b)
		m.mu.Unlock()
	}
	c.b, c.mapped = nil, false
}

// unmapReleased unmaps the windows released since its last call.
func (m *mmapChunks) unmapReleased() {
	m.mu.Lock()
	todo := m.released
	m.released, m.spare = m.spare[:0], nil
	m.mu.Unlock()
	for i, b := range todo {
		syscall.Munmap(b)
		todo[i] = nil
	}
	m.mu.Lock()
	m.spare = todo[:0]
	m.mu.Unlock()
}

// close unmaps the windows released so far, and makes release unmap the
// rest itself.
func (m *mmapChunks) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.unmapReleased()
}

// guardFaults makes a memory fault in the calling goroutine, such as a
// mapped file cut short by another process, panic instead of crashing the
// program; recoverFault turns that panic back into an error.
func guardFaults() { debug.SetPanicOnFault(true) }
