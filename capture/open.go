package capture

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// sniffLen is how much of an input is looked at to tell its format.
const sniffLen = 4096

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
	src, err := NewReader(path, f, f)
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
	info := &Info{Name: name}
	br := bufio.NewReaderSize(r, readBufferSize)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &FileError{Path: name, Offset: 0, Err: err}
	}
	if len(head) >= 2 && head[0] == 0x1F && head[1] == 0x8B {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &FileError{Path: name, Offset: 0, Err: fmt.Errorf("%w: gzip header: %v", ErrNotCapture, err)}
		}
		info.Compressed = true
		br = bufio.NewReaderSize(zr, readBufferSize)
		// A stream that ends early still holds records before its end;
		// the error comes back when reading reaches it.
		head, err = br.Peek(sniffLen)
		if len(head) == 0 && err != nil && !errors.Is(err, io.EOF) {
			return nil, &FileError{Path: name, Offset: 0, Err: fmt.Errorf("%w: gzip data: %v", ErrNotCapture, err)}
		}
	}
	rr := newRecordReader(br)
	var fr frameReader
	switch _, _, _, isPcap := pcapMagic(head); {
	case isPcap:
		info.Format = FormatPcap
		pr, err := newPcapReader(rr, info)
		if err != nil {
			return nil, &FileError{Path: name, Offset: rr.off, Err: err}
		}
		fr = pr
	case ngMagic(head):
		info.Format = FormatPcapNG
		fr = newNgReader(rr, info)
	default:
		isText, looksLike := sniffText(head)
		if !isText {
			what := "this looks like " + looksLike
			switch {
			case looksLike == "empty" && info.Compressed:
				what = "the gzip data holds nothing"
			case looksLike == "empty":
				what = "it is empty"
			case info.Compressed:
				what = "this looks like gzip data holding " + looksLike
			}
			return nil, &FileError{Path: name, Offset: -1, Err: fmt.Errorf("%w: %s", ErrNotCapture, what)}
		}
		ts := newTextSource(name, br)
		ts.info.Compressed = info.Compressed
		ts.closer = closer
		return ts, nil
	}
	return &fileSource{info: info, fr: fr, closer: closer}, nil
}

// fileSource decodes the frames of a pcap or pcapng file.
type fileSource struct {
	info   *Info
	fr     frameReader
	closer io.Closer
	f      frame
	done   error
}

func (s *fileSource) Info() *Info { return s.info }

func (s *fileSource) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

func (s *fileSource) Next(p *Packet) error {
	if s.done != nil {
		return s.done
	}
	for {
		start := s.fr.offset()
		if err := s.fr.next(&s.f); err != nil {
			s.done = s.wrap(err, start)
			return s.done
		}
		num := s.info.Records + 1
		*p = Packet{Num: num, Time: time.Unix(0, s.f.ts).UTC(), Interface: s.f.iface, Length: s.f.origLen}
		link := LinkUnknown
		if s.f.iface < len(s.info.Interfaces) {
			link = s.info.Interfaces[s.f.iface].LinkType
		}
		o := s.f.bad
		if o == outcomeInvalid {
			o = Decode(link, s.f.data, p)
		}
		s.info.count(o, p, link)
		if o == Decoded {
			return nil
		}
	}
}

// wrap turns a framing error into the FileError Next returns; io.EOF stays
// itself.
func (s *fileSource) wrap(err error, start int64) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	switch {
	case errors.Is(err, ErrCutShort) && s.info.Compressed:
		err = fmt.Errorf("%w (the gzip data ends early)", err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		err = fmt.Errorf("%w: gzip data: %v", ErrCorrupt, err)
	}
	return &FileError{Path: s.info.Name, Offset: start, Record: s.info.Records + 1, Err: err}
}
