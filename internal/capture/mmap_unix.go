//go:build unix

package capture

import (
	"io"
	"os"
	"runtime/debug"
	"syscall"
)

// mmapWindow is how much of a regular file is mapped at once. Mapping
// spares the copy a read makes; windows are unmapped as soon as no packet
// points into them, so that the resident size stays a few windows.
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

func (m *mmapChunks) release(c *chunk) {
	if c.mapped {
		syscall.Munmap(c.b)
		c.b, c.mapped = nil, false
	}
}

func (m *mmapChunks) close() {}

// guardFaults makes a memory fault in the calling goroutine, such as a
// mapped file cut short by another process, panic instead of crashing the
// program; recoverFault turns that panic back into an error.
func guardFaults() { debug.SetPanicOnFault(true) }
