package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

// sniffLen is how much of an input is looked at to tell its format.
const sniffLen = 4096

// sniffBufferSize is the buffer the first bytes are sniffed through. It is
// smaller than a chunk, so that past the sniffed bytes, pcap and pcapng
// input is read straight into chunks without another copy.
const sniffBufferSize = 64 << 10

// readBufferSize is the buffer tcpdump text is read through.
const readBufferSize = 1 << 20

// Open opens a capture file, or standard input when path is "-", and
// detects its format by content. The error is a *FileError; it wraps
// ErrNotCapture when the content is of no known format and says what it
// looks like instead.
func Open(path string) (Source, error) {
	if path == "-" {
		return NewReader("-", os.Stdin, nil)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Offset: -1, Err: unwrapPathError(err)}
	}
	src, err := newReader(path, f, f, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

// unwrapPathError drops the *os.PathError layer, whose path the FileError
// already carries.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// NewReader detects the format of r's content and returns a Source reading
// it. name is how errors and reports refer to the input; closer, if not nil,
// is closed by the Source's Close.
func NewReader(name string, r io.Reader, closer io.Closer) (Source, error) {
	return newReader(name, r, closer, nil)
}

// newReader is NewReader for an input that, when file is not nil, is that
// file read from its start: uncompressed pcap and pcapng is then mapped
// rather than read.
func newReader(name string, r io.Reader, closer io.Closer, file *os.File) (Source, error) {
	info := &Info{Name: name}
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(counted, sniffBufferSize)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &FileError{Path: name, Offset: 0, Err: err}
	}
	// in reads compressed input ahead of the inflater (gzipinput.go); a
	// source made of it stops it when closed.
	var in *gzipInput
	if len(head) >= 2 && head[0] == 0x1F && head[1] == 0x8B {
		in = newGzipInput(br)
		zr, err := newGunzip(in)
		if err != nil {
			in.close()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = errors.New("this looks like gzip data that ends early, inside its header")
			} else {
				err = fmt.Errorf("gzip header: %v", err)
			}
			return nil, &FileError{Path: name, Offset: 0, Err: fmt.Errorf("%w: %v", ErrNotCapture, err)}
		}
		info.Compressed = true
		br = bufio.NewReaderSize(zr, sniffBufferSize)
		// A stream that ends early still holds records before its end;
		// the error comes back when reading reaches it.
		head, err = br.Peek(sniffLen)
		if len(head) == 0 && err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = errors.New("this looks like gzip data that ends early, before the first byte it holds")
			} else {
				err = fmt.Errorf("gzip data: %v", err)
			}
			in.close()
			return nil, &FileError{Path: name, Offset: 0, Err: fmt.Errorf("%w: %v", ErrNotCapture, err)}
		}
	}
	var fr frameReader
	var rr *recordReader
	switch _, _, _, isPcap := pcapMagic(head); {
	case isPcap:
		info.Format = FormatPcap
		rr = recordsOf(br, in, file, counted)
		pr, err := newPcapReader(rr, info)
		if err != nil {
			rr.close()
			if errors.Is(err, ErrCutShort) && info.Compressed {
				err = fmt.Errorf("%w (the gzip data ends early)", err)
			}
			return nil, &FileError{Path: name, Offset: rr.off, Err: err}
		}
		fr = pr
	case ngMagic(head):
		info.Format = FormatPcapNG
		rr = recordsOf(br, in, file, counted)
		fr = newNgReader(rr, info)
	default:
		isText, looksLike := sniffText(head)
		if !isText {
			if in != nil {
				in.close()
			}
			what := "this looks like " + looksLike
			switch {
			case looksLike == "empty" && info.Compressed:
				what = "the gzip data holds nothing"
			case looksLike == "empty":
				what = "it is empty"
			case info.Compressed:
				what = "this looks like gzip data holding " + looksLike
			}
			err := fmt.Errorf("%w: %s", ErrNotCapture, what)
			switch looksLike {
			case "a kubectl table", "an istioctl table", "JSON", "YAML":
				err = &inventoryText{err}
			}
			return nil, &FileError{Path: name, Offset: -1, Err: err}
		}
		ts := newTextSource(name, bufio.NewReaderSize(br, readBufferSize))
		ts.info.Compressed = info.Compressed
		ts.closer = closer
		if in != nil {
			ts.closer = &stopThenClose{in: in, closer: closer}
		}
		return &countedSource{Source: ts, counted: counted}, nil
	}
	return &fileSource{info: info, fr: fr, rr: rr, closer: closer, counted: counted}, nil
}

// recordsOf returns the record reader of a pcap or pcapng input r. A
// regular file (file, when not nil, is r's file, read from its start) is
// mapped window by window, which spares copying it. Other plain input is
// read by the framing goroutine itself: the read copies each chunk into the
// cache of the core about to frame it. Compressed input (in, when not nil,
// is what r decompresses) is decompressed in a goroutine of its own, ahead
// of the framing one, so that the two run on separate cores.
func recordsOf(r io.Reader, in *gzipInput, file *os.File, counted *countingReader) *recordReader {
	switch {
	case in != nil:
		return &recordReader{src: newReadAhead(r, in.close)}
	case file != nil:
		if m, ok := newMmapChunks(file, counted); ok {
			return &recordReader{src: m}
		}
	}
	return newRecordReader(r)
}

// stopThenClose stops reading compressed input ahead, then closes what
// the input is read from.
type stopThenClose struct {
	in     *gzipInput
	closer io.Closer
}

func (c *stopThenClose) Close() error {
	c.in.close()
	if c.closer == nil {
		return nil
	}
	return c.closer.Close()
}

// Progress is implemented by the sources Open and NewReader return: how far
// reading has come, for a progress display.
type Progress interface {
	// BytesRead is how many bytes of the input, as stored (compressed when
	// it is), have been read so far. It is safe to call from any goroutine.
	BytesRead() int64
}

// countingReader counts the bytes read through it, for Progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// countedSource adds Progress to a text source.
type countedSource struct {
	Source
	counted *countingReader
}

func (s *countedSource) BytesRead() int64 { return s.counted.n.Load() }

// fileSource decodes the frames of a pcap or pcapng file, in a goroutine
// of its own (see batch.go).
type fileSource struct {
	info    *Info
	fr      frameReader
	rr      *recordReader
	closer  io.Closer
	counted *countingReader

	// Owned by the framing goroutine once started. complete is how many
	// packets of the batch being filled are whole.
	f        frame
	complete int
	// prepare is the Preparer's function, run on each batch.
	prepare func(pkts []Packet, prev any) any

	// The batches, and the state of Next.
	started    bool
	full, free chan *batch
	stop       chan struct{}
	cur        *batch
	i          int
	done       error
}

func (s *fileSource) Info() *Info { return s.info }

func (s *fileSource) BytesRead() int64 { return s.counted.n.Load() }

// wrap turns a framing error into the FileError Next returns; io.EOF stays
// itself.
func (s *fileSource) wrap(err error, start int64) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	// A pcapng reader reads blocks that hold no packet on its way to one:
	// the error is in the block it was reading.
	if b, ok := s.fr.(interface{ blockStart() int64 }); ok {
		start = b.blockStart()
	}
	switch {
	case errors.Is(err, ErrCutShort) && s.info.Compressed:
		err = fmt.Errorf("%w (the gzip data ends early)", err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		err = fmt.Errorf("%w: gzip data: %v", ErrCorrupt, err)
	}
	return &FileError{Path: s.info.Name, Offset: start, Record: s.info.Records + 1, Err: err}
}
