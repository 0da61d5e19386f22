//go:build isal && cgo && amd64

package isal

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readErr is the class of an error reading gzip data: "" for none.
func readErr(err error) string {
	var corrupt flate.CorruptInputError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return ""
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "ends early"
	case errors.Is(err, gzip.ErrHeader):
		return "bad header"
	case errors.Is(err, gzip.ErrChecksum):
		return "bad checksum"
	case errors.As(err, &corrupt):
		return "corrupt"
	}
	return err.Error()
}

// inflateISAL reads in through a Reader; small makes the input arrive a
// byte at a time.
func inflateISAL(in []byte, small bool) ([]byte, string) {
	var src io.Reader = bytes.NewReader(in)
	if small {
		src = iotest.OneByteReader(src)
	}
	z, err := NewReader(bufio.NewReaderSize(src, 16))
	if err != nil {
		return nil, readErr(err)
	}
	out, err := io.ReadAll(z)
	return out, readErr(err)
}

func inflateKlauspost(in []byte) ([]byte, string) {
	z, err := gzip.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, readErr(err)
	}
	out, err := io.ReadAll(z)
	return out, readErr(err)
}

func TestReader(t *testing.T) {
	capture := bytes.Repeat([]byte("a pcap record, then another, "), 5000)
	one := member(t, string(capture), gzip.Header{Name: "veth.pcap"})
	two := append(member(t, "first member, ", gzip.Header{}), member(t, "second member", gzip.Header{})...)
	badCRC := bytes.Clone(one)
	badCRC[len(badCRC)-8] ^= 1
	badSize := bytes.Clone(one)
	badSize[len(badSize)-1] ^= 1
	badBlock := bytes.Clone(one)
	badBlock[len("veth.pcap")+11] = 0xFF // the first block's header: type 3 is reserved
	tests := []struct {
		name string
		in   []byte
		want []byte
		err  string
		// klauspostErr is klauspost/compress's error when it differs.
		klauspostErr string
	}{
		{"one member", one, capture, "", ""},
		{"two members (cat a.gz b.gz)", two, []byte("first member, second member"), "", ""},
		{"an empty member", member(t, "", gzip.Header{}), nil, "", ""},
		{"cut in the data (a killed gzip)", one[:len(one)/2], nil, "ends early", ""},
		{"cut in the trailer", one[:len(one)-3], capture, "ends early", ""},
		{"wrong CRC", badCRC, capture, "bad checksum", ""},
		{"wrong length", badSize, capture, "bad checksum", ""},
		{"reserved block type", badBlock, nil, "corrupt", ""},
		{"garbage after the member", append(bytes.Clone(one), "garbage!!!"...), capture, "bad header", ""},
		// Found by FuzzReaderMatchesKlauspost: ISA-L reads a dynamic block's
		// header whole before it checks it, klauspost/compress bit by bit.
		{"a corrupt dynamic block header cut short", []byte("\x1f\x8b\b\x00000000$000"), nil, "ends early", "corrupt"},
		{"a dynamic block header cut short", []byte("\x1f\x8b\b\x00000000$A\x80\x0000212122"), nil, "corrupt", "ends early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, small := range []bool{false, true} {
				got, err := inflateISAL(tt.in, small)
				assert.Equal(t, tt.err, err, "byte at a time: %v", small)
				if tt.want != nil || tt.err == "" {
					assert.True(t, bytes.Equal(tt.want, got), "byte at a time: %v: %d bytes, want %d", small, len(got), len(tt.want))
				}
			}
			want, wantErr := inflateKlauspost(tt.in)
			require.Equal(t, cmp.Or(tt.klauspostErr, tt.err), wantErr, "klauspost/compress")
			if tt.want != nil {
				assert.True(t, bytes.Equal(tt.want, want), "klauspost/compress agrees")
			}
		})
	}
}

// FuzzReaderMatchesKlauspost: ISA-L and klauspost/compress read the same
// data from any input and fail on the same inputs, in the same way but for
// corrupt deflate data near the end of the input.
func FuzzReaderMatchesKlauspost(f *testing.F) {
	// text that compresses: Huffman-coded blocks with matches
	f.Add(member(f, string(bytes.Repeat([]byte("tcpdump -i any "), 40)), gzip.Header{}))
	// two members
	f.Add(append(member(f, "a", gzip.Header{}), member(f, "b", gzip.Header{Comment: "c"})...))
	// an empty member
	f.Add(member(f, "", gzip.Header{}))
	// a stored block: bytes that do not compress
	var stored bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&stored, gzip.NoCompression)
	zw.Write([]byte{0x00, 0xFF, 0x80, 0x7F, 0x01})
	zw.Close()
	f.Add(stored.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		got, gotErr := inflateISAL(in, false)
		want, wantErr := inflateKlauspost(in)
		// Deflate data that is corrupt near the end of the input can read
		// as corrupt to one and as ending early to the other: ISA-L reads a
		// block header whole before checking it, klauspost/compress bit by
		// bit. Both fail; headers, checksums and data must agree.
		cutOrCorrupt := func(e string) bool { return e == "ends early" || e == "corrupt" }
		sameFailure := gotErr == wantErr || cutOrCorrupt(gotErr) && cutOrCorrupt(wantErr)
		if !sameFailure {
			t.Fatalf("ISA-L: %q after %d bytes; klauspost/compress: %q after %d bytes", gotErr, len(got), wantErr, len(want))
		}
		if gotErr == "" && !bytes.Equal(got, want) {
			t.Fatalf("ISA-L read %d bytes, klauspost/compress %d, not the same", len(got), len(want))
		}
		if n := min(len(got), len(want)); !bytes.Equal(got[:n], want[:n]) {
			t.Fatalf("ISA-L and klauspost/compress read different bytes before %d", n)
		}
	})
}
