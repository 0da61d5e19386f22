package isal

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
)

// member returns a gzip member of data with the header fields h sets.
func member(t testing.TB, data string, h gzip.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Header = h
	if _, err := zw.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// headerErr is the class of a header error: "" for none.
func headerErr(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, io.EOF):
		return "no header"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "ends early"
	case errors.Is(err, gzip.ErrHeader):
		return "bad header"
	}
	return err.Error()
}

// TestReadHeader reads the header forms of RFC 1952, 2.3.1.
func TestReadHeader(t *testing.T) {
	plain := member(t, "x", gzip.Header{})
	named := member(t, "x", gzip.Header{Name: "veth.pcap", Comment: "tcpdump -i veth0", Extra: []byte{'A', 'P', 2, 0, 1, 2}})
	withCRC := append([]byte{0x1F, 0x8B, 8, 1 << 1, 0, 0, 0, 0, 0, 3}, 0, 0)
	tests := []struct {
		name string
		in   []byte
		want string
		rest int // bytes left after the header
	}{
		{"plain", plain, "", len(plain) - 10},
		{"name, comment and extra field", named, "", len(plain) - 10},
		{"header CRC that does not match", withCRC, "bad header", 0},
		{"not gzip", []byte("0123456789abcdef"), "bad header", 0},
		{"method other than deflate", []byte{0x1F, 0x8B, 7, 0, 0, 0, 0, 0, 0, 3}, "bad header", 0},
		{"reserved flag set", []byte{0x1F, 0x8B, 8, 1 << 5, 0, 0, 0, 0, 0, 3}, "bad header", 0},
		{"cut in the fixed part", plain[:5], "ends early", 0},
		{"cut in the name", named[:14], "ends early", 0},
		{"empty", nil, "no header", 0},
		{"name of 512 characters", append(append([]byte{0x1F, 0x8B, 8, gzipFlagName, 0, 0, 0, 0, 0, 3}, bytes.Repeat([]byte{'n'}, 512)...), 0), "bad header", 0},
		{"name of 511 characters", append(append([]byte{0x1F, 0x8B, 8, gzipFlagName, 0, 0, 0, 0, 0, 3}, bytes.Repeat([]byte{'n'}, 511)...), 0), "", 0},
		// klauspost/compress reads the optional fields before it looks at
		// the reserved flags (fuzzing found the difference).
		{"reserved flag and a comment cut short", []byte("\x1f\x8b\b0000000"), "ends early", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(bytes.NewReader(tt.in))
			assert.Equal(t, tt.want, headerErr(ReadHeader(r)))
			if tt.want == "" {
				assert.Equal(t, tt.rest, r.Buffered())
			}
			_, err := gzip.NewReader(bytes.NewReader(tt.in))
			assert.Equal(t, tt.want, headerErr(err), "klauspost/compress agrees")
		})
	}
}

// FuzzReadHeader: ReadHeader accepts and refuses the headers
// klauspost/compress's gzip.NewReader does.
func FuzzReadHeader(f *testing.F) {
	// a plain header
	f.Add(member(f, "x", gzip.Header{}))
	// every optional field
	f.Add(member(f, "x", gzip.Header{Name: "a", Comment: "b", Extra: []byte{1, 2, 0, 0}}))
	// a header CRC
	f.Add([]byte{0x1F, 0x8B, 8, 1 << 1, 0, 0, 0, 0, 0, 3, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		got := headerErr(ReadHeader(bufio.NewReader(bytes.NewReader(in))))
		_, err := gzip.NewReader(bytes.NewReader(in))
		if want := headerErr(err); got != want {
			t.Fatalf("ReadHeader: %q; gzip.NewReader: %q", got, want)
		}
	})
}
