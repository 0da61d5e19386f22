package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGzipInput: what a gzipInput hands over, read through each of its
// methods, is its input byte for byte, however the reads of the input cut
// it, followed by what ended the input. The oracle is the input itself.
func TestGzipInput(t *testing.T) {
	data := make([]byte, 3*gzipBlockSize+12345)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	failure := errors.New("disk on fire")
	tests := []struct {
		name string
		r    func() io.Reader
		want []byte
		err  error
	}{
		{"whole reads", func() io.Reader { return bytes.NewReader(data) }, data, io.EOF},
		{"a byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:5000])) }, data[:5000], io.EOF},
		{"half reads", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }, data, io.EOF},
		{"data with its end", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }, data, io.EOF},
		{"empty", func() io.Reader { return bytes.NewReader(nil) }, nil, io.EOF},
		{"a read error", func() io.Reader { return io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(failure)) }, data[:100], failure},
	}
	// Each way of reading takes what it can of the input, as the inflater
	// and the header reader do.
	ways := map[string]func(in *gzipInput) ([]byte, error){
		"Peek and Discard": func(in *gzipInput) ([]byte, error) {
			var got []byte
			for {
				b, err := in.Peek(max(in.Buffered(), 1))
				got = append(got, b...)
				if _, derr := in.Discard(len(b)); derr != nil {
					return got, derr
				}
				if len(b) == 0 {
					return got, err
				}
			}
		},
		"Read": func(in *gzipInput) ([]byte, error) {
			var got []byte
			p := make([]byte, 777)
			for {
				n, err := in.Read(p)
				got = append(got, p[:n]...)
				if err != nil {
					return got, err
				}
			}
		},
		"ReadByte": func(in *gzipInput) ([]byte, error) {
			var got []byte
			for {
				c, err := in.ReadByte()
				if err != nil {
					return got, err
				}
				got = append(got, c)
			}
		},
	}
	for _, tt := range tests {
		for way, read := range ways {
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				in := newGzipInput(tt.r())
				defer in.close()
				got, err := read(in)
				assert.True(t, bytes.Equal(tt.want, got), "%d bytes, want %d", len(got), len(tt.want))
				assert.ErrorIs(t, err, tt.err)
				// The end stays the end.
				_, err = in.Peek(1)
				assert.ErrorIs(t, err, tt.err)
			})
		}
	}
}

// TestGzipInputPeek: Peek answers from the current block, and says when it
// holds less than was asked for.
func TestGzipInputPeek(t *testing.T) {
	in := newGzipInput(io.MultiReader(strings.NewReader("abcd"), strings.NewReader("efgh")))
	defer in.close()
	b, err := in.Peek(2)
	require.NoError(t, err)
	assert.Equal(t, "ab", string(b))
	assert.Equal(t, 4, in.Buffered(), "the first block is the first read")
	b, err = in.Peek(6)
	assert.Equal(t, "abcd", string(b))
	assert.ErrorIs(t, err, bufio.ErrBufferFull)
	n, err := in.Discard(5)
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	rest, err := io.ReadAll(in)
	require.NoError(t, err)
	assert.Equal(t, "fgh", string(rest))
}

// TestGzipInputClose: closing stops a gzipInput waiting for input that
// does not come, as a source closed while standard input is idle.
func TestGzipInputClose(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	in := newGzipInput(pr)
	done := make(chan error)
	go func() {
		_, err := in.ReadByte()
		done <- err
	}()
	in.close()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, errReadStopped)
	case <-time.After(10 * time.Second):
		t.Fatal("a closed gzipInput still waits for its input")
	}
}
