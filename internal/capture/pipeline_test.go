package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigPcap writes a pcap of n Ethernet/IPv4/TCP frames whose payloads have
// random sizes up to max bytes, filled with a pattern that names the frame,
// so that a payload read from the wrong place shows. Records straddle chunk
// and window boundaries at many offsets.
func bigPcap(n, max int, snaplen uint32) []byte {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(max)))
	b := binary.LittleEndian.AppendUint32(nil, pcapMagicMicro)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, snaplen)
	b = binary.LittleEndian.AppendUint32(b, uint32(LinkEthernet))
	for i := range n {
		size := rng.IntN(max + 1)
		frame := []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0}
		frame = binary.BigEndian.AppendUint16(frame, uint16(min(40+size, 0xFFFF)))
		frame = binary.BigEndian.AppendUint16(frame, uint16(i))
		frame = append(frame, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2)
		frame = binary.BigEndian.AppendUint16(frame, uint16(30000+i%1000))
		frame = append(frame, 0x23, 0x78)
		frame = binary.BigEndian.AppendUint32(frame, uint32(i))
		frame = append(frame, 0, 0, 0, 0, 5<<4, 0x18, 0xff, 0xff, 0, 0, 0, 0)
		for j := range size {
			frame = append(frame, byte(i+j))
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(1_700_000_000+i/1000))
		b = binary.LittleEndian.AppendUint32(b, uint32(i%1000*1000))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	return b
}

// checkPayloads reads every packet of src and checks that each holds the
// pattern bigPcap wrote, while it is the current packet.
func checkPayloads(t *testing.T, src Source, n int) {
	t.Helper()
	var p Packet
	for i := range n {
		require.NoError(t, src.Next(&p), "packet %d", i)
		require.Equal(t, i+1, p.Num)
		require.Equal(t, uint32(i), p.Seq)
		require.Equal(t, time.Unix(int64(1_700_000_000+i/1000), int64(i%1000*1_000_000)).UTC(), p.Time)
		for j, c := range p.Payload {
			if c != byte(i+j) {
				t.Fatalf("packet %d: payload byte %d is %d, want %d", i, j, c, byte(i+j))
			}
		}
	}
	require.ErrorIs(t, src.Next(&p), io.EOF)
	info := src.Info()
	assert.Equal(t, n, info.Records)
	assert.Equal(t, n, info.Outcomes.Count(Decoded))
	assert.Equal(t, 1, info.Outcomes.First(Decoded))
	assert.Equal(t, time.Unix(1_700_000_000, 0).UTC(), info.First)
}

// TestReadPaths: a pcap read from memory, from a file (mapped), and gzip
// compressed yields the same packets, with payloads intact across chunk
// boundaries, and counts the bytes it read.
func TestReadPaths(t *testing.T) {
	const n = 20_000
	data := bigPcap(n, 1500, 262144)
	for name, open := range readPaths(t, data) {
		t.Run(name, func(t *testing.T) {
			src, err := open()
			require.NoError(t, err)
			defer src.Close()
			checkPayloads(t, src, n)
			want := int64(len(data))
			if name == "gzip" {
				want = int64(len(gzipped(t, data)))
			}
			assert.Equal(t, want, src.(Progress).BytesRead())
		})
	}
}

// readPaths opens data each way a pcap is read: from memory (the stream
// path), from a file (mapped), and from a gzip file.
func readPaths(t *testing.T, data []byte) map[string]func() (Source, error) {
	path := filepath.Join(t.TempDir(), "big.pcap")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	gzPath := path + ".gz"
	require.NoError(t, os.WriteFile(gzPath, gzipped(t, data), 0o644))
	return map[string]func() (Source, error){
		"reader": func() (Source, error) { return NewReader("big.pcap", bytes.NewReader(data), nil) },
		"file":   func() (Source, error) { return Open(path) },
		"gzip":   func() (Source, error) { return Open(gzPath) },
	}
}

// TestRecordsLargerThanChunks: records of a megabyte (a pcap whose snaplen
// allows them) span several chunks and windows.
func TestRecordsLargerThanChunks(t *testing.T) {
	// Frames past the IP length field's reach: the rest is padding to IP,
	// but the framing must carry each whole.
	data := bigPcap(40, 1<<20, 4<<20)
	path := filepath.Join(t.TempDir(), "jumbo.pcap")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	for _, open := range []func() (Source, error){
		func() (Source, error) { return NewReader("jumbo.pcap", bytes.NewReader(data), nil) },
		func() (Source, error) { return Open(path) },
	} {
		src, err := open()
		require.NoError(t, err)
		checkPayloads(t, src, 40)
		src.Close()
	}
}

// TestCloseMidway: closing a source before its end stops its goroutines.
func TestCloseMidway(t *testing.T) {
	data := bigPcap(20_000, 1500, 262144)
	path := filepath.Join(t.TempDir(), "big.pcap")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	before := runtime.NumGoroutine()
	for range 10 {
		for _, open := range []func() (Source, error){
			func() (Source, error) { return NewReader("big.pcap", bytes.NewReader(data), nil) },
			func() (Source, error) { return Open(path) },
			func() (Source, error) { return NewReader("big.pcap.gz", bytes.NewReader(gzipped(t, data)), nil) },
		} {
			src, err := open()
			require.NoError(t, err)
			var p Packet
			for range 100 {
				require.NoError(t, src.Next(&p))
			}
			require.NoError(t, src.Close())
		}
	}
	// Goroutines blocked in a channel operation see the stop at once.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestFileCutWhileRead: a mapped file that another program truncates is an
// error of the source, not a crash.
func TestFileCutWhileRead(t *testing.T) {
	data := bigPcap(40_000, 1500, 262144)
	path := filepath.Join(t.TempDir(), "big.pcap")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	src, err := Open(path)
	require.NoError(t, err)
	defer src.Close()
	var p Packet
	require.NoError(t, src.Next(&p))
	require.NoError(t, os.Truncate(path, 100_000))
	for err == nil {
		err = src.Next(&p)
	}
	// The packets framed before the cut are returned; then the source says
	// the file changed (or, when the cut came between windows, ended early).
	if !errors.Is(err, ErrFileChanged) && !errors.Is(err, ErrCutShort) {
		t.Fatalf("got %v, want ErrFileChanged or ErrCutShort", err)
	}
}

// BenchmarkReadFile is framing and decoding of a pcap file from the page
// cache: mapped, framed in its own goroutine, handed over in batches.
func BenchmarkReadFile(b *testing.B) {
	benchmarkOpen(b, "big.pcap", func(d []byte) []byte { return d })
}

// BenchmarkReadGzip is the same file gzip-compressed: decompressed in one
// goroutine, framed in another.
func BenchmarkReadGzip(b *testing.B) {
	benchmarkOpen(b, "big.pcap.gz", func(d []byte) []byte { return gzipped(b, d) })
}

func benchmarkOpen(b *testing.B, name string, encode func([]byte) []byte) {
	data := bigPcap(200_000, 1000, 262144)
	path := filepath.Join(b.TempDir(), name)
	require.NoError(b, os.WriteFile(path, encode(data), 0o644))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	packets := 0
	for b.Loop() {
		src, err := Open(path)
		require.NoError(b, err)
		var p Packet
		for src.Next(&p) == nil {
			packets++
		}
		src.Close()
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

// TestDecodeSetsEveryField: a packet Decode returns as Decoded has every
// field but Num, Time, Interface and Length set by Decode, so that the
// framing goroutine can decode into a slot holding an earlier packet
// without clearing it. A field added to Packet that Decode leaves alone
// fails here.
func TestDecodeSetsEveryField(t *testing.T) {
	data := bigPcap(2, 100, 262144)
	frame := data[24+16 : 24+16+54+int(binary.BigEndian.Uint16(data[24+16+16:]))-40]
	udp := append([]byte(nil), frame...)
	udp[14+9] = 17 // UDP: the first 8 bytes of the TCP header read as a UDP header
	binary.BigEndian.PutUint16(udp[14+20+4:], uint16(len(udp)-34))
	for name, frame := range map[string][]byte{"tcp": frame, "udp": udp} {
		var clean, dirty Packet
		require.Equal(t, Decoded, Decode(LinkEthernet, frame, &clean), name)
		v := reflect.ValueOf(&dirty).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Int, reflect.Int32:
				f.SetInt(-7)
			case reflect.Uint8, reflect.Uint16, reflect.Uint32:
				f.SetUint(7)
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Slice:
				f.Set(reflect.ValueOf([]byte("stale")))
			case reflect.Struct:
				switch f.Interface().(type) {
				case time.Time:
					f.Set(reflect.ValueOf(time.Unix(7, 7)))
				case netip.AddrPort:
					f.Set(reflect.ValueOf(netip.MustParseAddrPort("[fe80::7]:7")))
				default:
					t.Fatalf("field %s of type %s: teach this test to fill it", v.Type().Field(i).Name, f.Type())
				}
			default:
				t.Fatalf("field %s of kind %s: teach this test to fill it", v.Type().Field(i).Name, f.Kind())
			}
		}
		require.Equal(t, Decoded, Decode(LinkEthernet, frame, &dirty), name)
		dirty.Num, dirty.Time, dirty.Interface, dirty.Length = clean.Num, clean.Time, clean.Interface, clean.Length
		assert.Equal(t, clean, dirty, name)
	}
}

// TestPrepare: a Preparer's function sees every batch on the framing
// goroutine, gets back what it made for the same batch's memory the time
// before, and NextPrepared hands each batch over with what it made of it,
// from where Next left off, on each read path. The oracle is the packets'
// own numbers: what the function recorded of a batch must name the
// packets NextPrepared returns with it.
func TestPrepare(t *testing.T) {
	const n = 20_000
	data := bigPcap(n, 1500, 262144)
	// made is what the function returns: the numbers of a batch's packets.
	type made struct{ nums []int }
	for name, open := range readPaths(t, data) {
		t.Run(name, func(t *testing.T) {
			src, err := open()
			require.NoError(t, err)
			defer src.Close()
			pr, ok := src.(Preparer)
			require.True(t, ok)
			var calls, reused int
			pr.Prepare(func(pkts []Packet, prev any) any {
				m, _ := prev.(*made)
				if m == nil {
					m = &made{}
				} else {
					reused++
				}
				calls++
				m.nums = m.nums[:0]
				for i := range pkts {
					m.nums = append(m.nums, pkts[i].Num)
				}
				return m
			})
			var p Packet
			for range 3 {
				require.NoError(t, src.Next(&p))
			}
			next := 4
			for {
				pkts, prepared, first, err := pr.NextPrepared()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				m := prepared.(*made)
				require.Equal(t, len(m.nums), first+len(pkts))
				if next == 4 {
					require.Equal(t, 3, first, "the first batch, after three packets taken by Next")
				} else {
					require.Zero(t, first)
				}
				for i := range pkts {
					require.Equal(t, next, pkts[i].Num)
					require.Equal(t, next, m.nums[first+i])
					next++
				}
			}
			require.Equal(t, n+1, next)
			assert.Greater(t, calls, batchesInFlight, "several rounds of batches")
			assert.Equal(t, calls-batchesInFlight, reused, "each batch's memory is handed back once it has been made")
		})
	}
}
