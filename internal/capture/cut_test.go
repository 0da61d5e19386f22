package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cutRead opens data cut to n bytes and reads it to its end. openErr is set
// when the cut input cannot be opened at all; readErr is how reading ended
// (nil for a clean end).
func cutRead(t *testing.T, name string, data []byte) (pkts []Packet, openErr, readErr error) {
	t.Helper()
	src, err := NewReader(name, bytes.NewReader(data), nil)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("open error %T is not a *FileError: %v", err, err)
		}
		return nil, err, nil
	}
	defer src.Close()
	for {
		var p Packet
		err := src.Next(&p)
		if errors.Is(err, io.EOF) {
			return pkts, nil, nil
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("read error %T is not a *FileError: %v", err, err)
			}
			return pkts, nil, err
		}
		p.Payload = nil
		pkts = append(pkts, p)
	}
}

// boundary is where a record (or pcapng block) starts and ends, and how
// many packets the input holds up to its end.
type boundary struct {
	start, end int
	packets    int
}

// pcapBoundaries walks a pcap file's records by their headers.
func pcapBoundaries(t *testing.T, data []byte) []boundary {
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.LittleEndian.Uint32(data) != 0xA1B2C3D4 && binary.LittleEndian.Uint32(data) != 0xA1B23C4D {
		order = binary.BigEndian
	}
	var out []boundary
	for off, n := 24, 0; off < len(data); n++ {
		end := off + 16 + int(order.Uint32(data[off+8:off+12]))
		out = append(out, boundary{start: off, end: end, packets: n + 1})
		off = end
	}
	return out
}

// pcapngBoundaries walks a little-endian pcapng file's blocks by their
// lengths; enhanced, simple and obsolete packet blocks hold a packet.
func pcapngBoundaries(t *testing.T, data []byte) []boundary {
	var out []boundary
	n := 0
	for off := 0; off < len(data); {
		typ, length := binary.LittleEndian.Uint32(data[off:]), int(binary.LittleEndian.Uint32(data[off+4:]))
		if typ == 2 || typ == 3 || typ == 6 {
			n++
		}
		out = append(out, boundary{start: off, end: off + length, packets: n})
		off += length
	}
	return out
}

// TestCutAnywhere cuts pcap and pcapng samples at every byte. A cut at a
// record boundary reads as a shorter, complete file. A cut inside a record
// yields every packet before it, then ErrCutShort naming the byte offset
// where the cut record starts and its number. A cut inside the file header
// is an error of opening; nothing is lost, since no record was complete.
func TestCutAnywhere(t *testing.T) {
	for _, tt := range []struct {
		file       string
		boundaries func(*testing.T, []byte) []boundary
		header     int // bytes before the first record that Open needs
	}{
		{"ethernet-us-le.pcap", pcapBoundaries, 24},
		{"ethernet-ns-be.pcap", pcapBoundaries, 24},
		{"kuznetzov.pcap", nil, 24},
		{"multi.pcapng", pcapngBoundaries, 4},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			full, openErr, readErr := cutRead(t, tt.file, data)
			if openErr != nil || readErr != nil {
				t.Fatalf("the whole file: %v %v", openErr, readErr)
			}
			var bounds []boundary
			if tt.boundaries != nil {
				bounds = tt.boundaries(t, data)
			}
			path := filepath.Join(t.TempDir(), tt.file)
			for cut := 0; cut < len(data); cut++ {
				pkts, openErr, readErr := cutRead(t, path, data[:cut])
				checkSameFromFile(t, path, data[:cut], pkts, openErr, readErr)
				if cut < tt.header {
					if openErr == nil && readErr == nil && len(pkts) > 0 {
						t.Fatalf("cut at %d inside the file header: %d packets and no error", cut, len(pkts))
					}
					continue
				}
				if openErr != nil {
					t.Fatalf("cut at %d: cannot open: %v", cut, openErr)
				}
				if !samePackets(pkts, full[:min(len(pkts), len(full))]) || len(pkts) > len(full) {
					t.Fatalf("cut at %d: the packets read are not the file's first %d", cut, len(pkts))
				}
				if bounds == nil {
					if readErr != nil && !errors.Is(readErr, ErrCutShort) {
						t.Fatalf("cut at %d: %v", cut, readErr)
					}
					continue
				}
				checkCut(t, cut, bounds, pkts, readErr)
			}
		})
	}
}

// checkSameFromFile checks that reading data from a file, which Open may
// map, ends as reading it from a stream did.
func checkSameFromFile(t *testing.T, path string, data []byte, pkts []Packet, openErr, readErr error) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Open(path)
	if fmt.Sprint(err) != fmt.Sprint(openErr) {
		t.Fatalf("%d bytes: opening the file: %v; the stream: %v", len(data), err, openErr)
	}
	if err != nil {
		return
	}
	defer src.Close()
	var got []Packet
	for {
		var p Packet
		err := src.Next(&p)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if fmt.Sprint(err) != fmt.Sprint(readErr) || !samePackets(got, pkts) {
				t.Fatalf("%d bytes: the file reads %d packets, ending %v; the stream %d, ending %v", len(data), len(got), err, len(pkts), readErr)
			}
			return
		}
		got = append(got, p)
	}
}

// checkCut checks how reading a file cut at byte cut ended, against the
// file's record boundaries.
func checkCut(t *testing.T, cut int, bounds []boundary, pkts []Packet, readErr error) {
	t.Helper()
	before := 0 // packets in the records wholly before the cut
	for _, b := range bounds {
		if cut >= b.end {
			before = b.packets
			continue
		}
		if cut == b.start {
			break
		}
		var fe *FileError
		if !errors.Is(readErr, ErrCutShort) || !errors.As(readErr, &fe) {
			t.Fatalf("cut at %d inside the record at %d: error %v, want ErrCutShort", cut, b.start, readErr)
		}
		if fe.Offset != int64(b.start) || fe.Record != before+1 || len(pkts) != before {
			t.Fatalf("cut at %d inside the record at %d: offset %d, record %d, %d packets; want offset %d, record %d, %d packets",
				cut, b.start, fe.Offset, fe.Record, len(pkts), b.start, before+1, before)
		}
		if !strings.Contains(readErr.Error(), "at byte") {
			t.Fatalf("cut at %d: the message names no byte offset: %v", cut, readErr)
		}
		return
	}
	// A cut between records: a complete, shorter file.
	if readErr != nil || len(pkts) != before {
		t.Fatalf("cut at %d, between records: %d packets, want %d; error %v", cut, len(pkts), before, readErr)
	}
}

func samePackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Num != b[i].Num || a[i].Src != b[i].Src || a[i].Dst != b[i].Dst || a[i].Seq != b[i].Seq || !a[i].Time.Equal(b[i].Time) {
			return false
		}
	}
	return true
}

// TestCutGzip cuts gzip-compressed captures, pcap and text, at every byte
// of the compressed stream. Each cut either cannot be opened (the gzip
// header or the first block is cut: an error that says gzip), or yields the
// first packets of the file and then ErrCutShort saying the gzip data ends
// early.
func TestCutGzip(t *testing.T) {
	for _, file := range []string{"ethernet-us-le.pcap", "multi.pcapng", "text/shell4.txt"} {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			full, _, readErr := cutRead(t, file, raw)
			if readErr != nil {
				t.Fatal(readErr)
			}
			gz := gzipped(t, raw)
			for cut := 0; cut < len(gz); cut++ {
				pkts, openErr, readErr := cutRead(t, file+".gz", gz[:cut])
				if openErr != nil {
					if cut >= 2 && !strings.Contains(openErr.Error(), "gzip") {
						t.Fatalf("cut at %d: the open error does not say gzip: %v", cut, openErr)
					}
					continue
				}
				if len(pkts) > len(full) || !samePackets(pkts, full[:len(pkts)]) && !isText(file) {
					t.Fatalf("cut at %d: the packets read are not the file's first %d", cut, len(pkts))
				}
				if !errors.Is(readErr, ErrCutShort) || !strings.Contains(readErr.Error(), "gzip data ends early") {
					t.Fatalf("cut at %d: reading ends with %v, want ErrCutShort saying the gzip data ends early", cut, readErr)
				}
			}
		})
	}
}

func isText(file string) bool { return strings.HasPrefix(file, "text/") }

// TestCutText cuts tcpdump text at every byte. Text has no framing to be cut
// inside: the lines before the cut read as they do in the whole file, and
// the cut line is read for what it still says, or counted unreadable.
func TestCutText(t *testing.T) {
	for _, file := range []string{"shell4.txt", "veth-v.txt", "any-e.txt"} {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "text", file))
			if err != nil {
				t.Fatal(err)
			}
			// Each open reads through a buffer of 1 MiB: the first 1500
			// bytes hold enough lines of every kind.
			raw = raw[:min(len(raw), 1500)]
			full, _, _ := cutRead(t, file, raw)
			for cut := 1; cut < len(raw); cut++ {
				pkts, openErr, readErr := cutRead(t, file, raw[:cut])
				if openErr != nil {
					// Too little is left to tell it is tcpdump text.
					if !errors.Is(openErr, ErrNotCapture) {
						t.Fatalf("cut at %d: %v", cut, openErr)
					}
					continue
				}
				if readErr != nil {
					t.Fatalf("cut at %d: %v", cut, readErr)
				}
				// Packets that start two lines or more before the cut (a -v
				// packet takes two) read as in the whole file.
				cutLine := bytes.Count(raw[:cut], []byte("\n")) + 1
				var before, want []Packet
				for _, p := range pkts {
					if p.Num < cutLine-1 {
						before = append(before, p)
					}
				}
				for _, p := range full {
					if p.Num < cutLine-1 {
						want = append(want, p)
					}
				}
				if !samePackets(before, want) {
					t.Fatalf("cut at %d (line %d): %d packets before the cut, the whole file has %d there", cut, cutLine, len(before), len(want))
				}
			}
		})
	}
}

// TestCutRegressions keeps the cuts that TestCutAnywhere and TestCutGzip
// found read wrongly, one row each.
func TestCutRegressions(t *testing.T) {
	read := func(file string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pcap, ng, text := read("ethernet-us-le.pcap"), read("multi.pcapng"), read("text/shell4.txt")
	idb := int(binary.LittleEndian.Uint32(ng[4:8])) // the first interface block starts after the section header
	tests := []struct {
		name    string
		in      []byte
		open    bool // the error comes from opening
		offset  int64
		record  int
		message string
	}{
		// Read as a complete file of no records before the fix.
		{name: "pcap cut right after a record header", in: pcap[:24+16], offset: 24, record: 1, message: "ends in the middle of a record"},
		// Named byte 0, where reading began, before the fix.
		{name: "pcapng cut inside the interface block after the section header", in: ng[:idb+5], offset: int64(idb), record: 1,
			message: "ends in the middle of a record"},
		// Said nothing of gzip before the fix.
		{name: "gzip pcap cut inside the file header", in: gzipped(t, pcap)[:15], open: true, offset: 0,
			message: "(the gzip data ends early)"},
		// Was a bare "unexpected EOF" before the fix.
		{name: "gzip text cut", in: gzipped(t, text)[:101], offset: -2, record: -1, message: "ends in the middle of a record (the gzip data ends early)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Read from a stream, and from a file, which Open may map.
			path := filepath.Join(t.TempDir(), "cut")
			if err := os.WriteFile(path, tt.in, 0o644); err != nil {
				t.Fatal(err)
			}
			streamOpen, streamRead := cutReadErrs(t, func() (Source, error) { return NewReader("cut", bytes.NewReader(tt.in), nil) })
			fileOpen, fileRead := cutReadErrs(t, func() (Source, error) { return Open(path) })
			for _, errs := range [][2]error{{streamOpen, streamRead}, {fileOpen, fileRead}} {
				err := errs[1]
				if tt.open {
					err = errs[0]
				}
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("open error %v, read error %v", errs[0], errs[1])
				}
				if tt.offset != -2 && fe.Offset != tt.offset || tt.record != -1 && fe.Record != tt.record {
					t.Errorf("offset %d, record %d; want %d, %d", fe.Offset, fe.Record, tt.offset, tt.record)
				}
				if !strings.Contains(err.Error(), tt.message) {
					t.Errorf("%v, want it to say %q", err, tt.message)
				}
			}
		})
	}
}

// cutReadErrs opens a source and reads it to its end, returning the error
// of opening or the one reading ended with (nil for a clean end).
func cutReadErrs(t *testing.T, open func() (Source, error)) (openErr, readErr error) {
	t.Helper()
	src, err := open()
	if err != nil {
		return err, nil
	}
	defer src.Close()
	var p Packet
	for {
		if err := src.Next(&p); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, err
		}
	}
}
