package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads a source to its end and returns its packets' summaries
// and the error reading ended with (nil for a clean end).
func readAll(t *testing.T, src Source) ([]Packet, error) {
	t.Helper()
	var out []Packet
	for {
		var p Packet
		err := src.Next(&p)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		p.Payload = append([]byte(nil), p.Payload...)
		out = append(out, p)
	}
}

// TestOpenFormats reads every sample of capture/testdata; the expected
// counts are the ones capture/testdata/README.md states for each file.
func TestOpenFormats(t *testing.T) {
	tests := []struct {
		file       string
		format     Format
		compressed bool
		links      []LinkType
		ifaces     []string
		records    int
		outcomes   map[Outcome]int
		first      string // first packet, "src > dst"
		firstTime  string // RFC3339Nano of the first packet, when checked
		errIs      error  // how reading ends, nil for a clean end
	}{
		{file: "ethernet-us-le.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080", firstTime: "2025-03-14T15:20:00.1Z"},
		{file: "ethernet-ns-be.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080", firstTime: "2025-03-14T15:20:00.100000123Z"},
		{file: "ethernet.pcap.gz", format: FormatPcap, compressed: true, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "gzip-without-extension", format: FormatPcap, compressed: true, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "sll.pcap", format: FormatPcap, links: []LinkType{LinkLinuxSLL}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "sll2.pcap", format: FormatPcap, links: []LinkType{LinkLinuxSLL2}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40001 > 10.96.209.151:9080"},
		{file: "raw4.pcap", format: FormatPcap, links: []LinkType{LinkRaw}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "ipv4.pcap", format: FormatPcap, links: []LinkType{LinkIPv4}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "ipv6.pcap", format: FormatPcap, links: []LinkType{LinkIPv6}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "[fd00:10:244::5]:40000 > [fd00:10:244::7]:9080"},
		{file: "null-le.pcap", format: FormatPcap, links: []LinkType{LinkNull}, records: 4, outcomes: map[Outcome]int{Decoded: 4},
			first: "127.0.0.1:50000 > 127.0.0.1:8080"},
		{file: "loop.pcap", format: FormatPcap, links: []LinkType{LinkLoop}, records: 4, outcomes: map[Outcome]int{Decoded: 4},
			first: "127.0.0.1:50000 > 127.0.0.1:8080"},
		{file: "vlan.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 4, outcomes: map[Outcome]int{Decoded: 4},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "udp-dns.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 4, outcomes: map[Outcome]int{Decoded: 4},
			first: "10.244.2.34:41234 > 10.96.0.10:53"},
		{file: "snaplen96.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "truncated-record.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 4, outcomes: map[Outcome]int{Decoded: 4},
			first: "10.244.2.34:40000 > 10.244.2.32:9080", errIs: ErrCutShort},
		{file: "malformed.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6,
			outcomes: map[Outcome]int{Decoded: 1, Malformed: 4, Truncated: 1}, first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "skips.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6,
			outcomes: map[Outcome]int{NotIP: 1, NotTCPUDP: 2, Fragment: 1, Decoded: 2}, first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "empty.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 0, outcomes: map[Outcome]int{}},
		{file: "kuznetzov.pcap", format: FormatPcap, links: []LinkType{LinkEthernet}, records: 6, outcomes: map[Outcome]int{Decoded: 6},
			first: "10.244.2.34:40000 > 10.244.2.32:9080"},
		{file: "multi.pcapng", format: FormatPcapNG, links: []LinkType{LinkEthernet, LinkRaw}, ifaces: []string{"veth0", "tun0"}, records: 11,
			outcomes: map[Outcome]int{Decoded: 11}, first: "10.244.2.34:40002 > 10.244.2.32:9080"},
		{file: "two-sections.pcapng", format: FormatPcapNG, links: []LinkType{LinkEthernet, LinkRaw}, ifaces: []string{"veth0", "eth0"}, records: 6,
			outcomes: map[Outcome]int{Decoded: 6}, first: "10.244.2.34:40000 > 10.244.2.32:9080"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := Open(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			defer src.Close()
			pkts, err := readAll(t, src)
			if tt.errIs != nil {
				require.ErrorIs(t, err, tt.errIs)
				var fe *FileError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tt.records+1, fe.Record, "the error names the record being read")
			} else {
				require.NoError(t, err)
			}
			info := src.Info()
			assert.Equal(t, tt.format, info.Format)
			assert.Equal(t, tt.compressed, info.Compressed)
			assert.Equal(t, tt.links, info.LinkTypes())
			if tt.ifaces != nil {
				var names []string
				for _, ifc := range info.Interfaces {
					names = append(names, ifc.Name)
				}
				assert.Equal(t, tt.ifaces, names)
			}
			assert.Equal(t, tt.records, info.Records)
			got := map[Outcome]int{}
			for _, o := range Outcomes() {
				if n := info.Outcomes.Count(o); n > 0 {
					got[o] = n
				}
			}
			assert.Equal(t, tt.outcomes, got)
			assert.Len(t, pkts, tt.outcomes[Decoded])
			if tt.first != "" {
				require.NotEmpty(t, pkts)
				assert.Equal(t, tt.first, pkts[0].Src.String()+" > "+pkts[0].Dst.String())
			}
			if tt.firstTime != "" {
				assert.Equal(t, tt.firstTime, pkts[0].Time.Format(time.RFC3339Nano))
			}
		})
	}
}

// TestPcapngInterfaces checks that packets carry their pcapng interface and
// that the nanosecond and microsecond interfaces keep their resolutions.
func TestPcapngInterfaces(t *testing.T) {
	src, err := Open("testdata/multi.pcapng")
	require.NoError(t, err)
	defer src.Close()
	pkts, err := readAll(t, src)
	require.NoError(t, err)
	var ifaces []int
	for _, p := range pkts {
		ifaces = append(ifaces, p.Interface)
	}
	assert.Equal(t, []int{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0}, ifaces)
	assert.Equal(t, pkts[9].Time, pkts[10].Time, "a simple packet block takes the previous timestamp")
	assert.True(t, pkts[7].Dst.Addr().Is6())
	assert.Equal(t, 267, pkts[7].PayloadLen)
}

// TestSLL2KeepsInterfaceAndDirection: tcpdump -i any's interface index and
// direction survive decoding.
func TestSLL2KeepsInterfaceAndDirection(t *testing.T) {
	src, err := Open("testdata/sll2.pcap")
	require.NoError(t, err)
	defer src.Close()
	pkts, err := readAll(t, src)
	require.NoError(t, err)
	var got []string
	for _, p := range pkts {
		got = append(got, string(rune('0'+p.IfIndex))+p.Direction.String())
	}
	assert.Equal(t, []string{"7in", "9out", "9in", "7out", "7in", "9out"}, got)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return p
	}
	gz, err := os.ReadFile("testdata/ethernet.pcap.gz")
	require.NoError(t, err)
	tests := []struct {
		name    string
		path    string
		errIs   error
		message string
	}{
		{name: "missing file", path: filepath.Join(dir, "nope.pcap"), errIs: os.ErrNotExist, message: "nope.pcap: open: no such file or directory"},
		{name: "empty file", path: write("empty", nil), errIs: ErrNotCapture, message: "it is empty"},
		{name: "json", path: write("inv.json", []byte(`{"apiVersion":"v1","kind":"List","items":[]}`)), errIs: ErrNotCapture, message: "JSON"},
		{name: "pdf", path: write("x.pdf", []byte("%PDF-1.7\n\x00\x01\x02\x03binary")), errIs: ErrNotCapture, message: "this looks like"},
		{name: "gzip holding text", path: write("t.gz", gzipped(t, []byte("hello world\n"))), errIs: ErrNotCapture, message: "gzip data holding"},
		{name: "gzip header cut", path: write("cut.gz", gz[:5]), errIs: ErrNotCapture, message: "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.errIs)
			var fe *FileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.path, fe.Path)
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// TestGzipCutShort: a gzip file that ends early yields what it held and
// then an error saying so.
func TestGzipCutShort(t *testing.T) {
	raw, err := os.ReadFile("testdata/ethernet-us-le.pcap")
	require.NoError(t, err)
	gz := gzipped(t, raw)
	src, err := NewReader("cut.pcap.gz", bytes.NewReader(gz[:len(gz)-120]), nil)
	require.NoError(t, err)
	pkts, err := readAll(t, src)
	require.ErrorIs(t, err, ErrCutShort)
	assert.Contains(t, err.Error(), "gzip")
	assert.NotEmpty(t, pkts)
	assert.Less(t, len(pkts), 6)
}

// TestPcapCorruptLength: a record claiming gigabytes stops reading with
// ErrCorrupt instead of allocating.
func TestPcapCorruptLength(t *testing.T) {
	raw, err := os.ReadFile("testdata/ethernet-us-le.pcap")
	require.NoError(t, err)
	bad := append([]byte(nil), raw...)
	bad[24+8], bad[24+9], bad[24+10], bad[24+11] = 0xff, 0xff, 0xff, 0x7f
	src, err := NewReader("bad.pcap", bytes.NewReader(bad), nil)
	require.NoError(t, err)
	_, err = readAll(t, src)
	require.ErrorIs(t, err, ErrCorrupt)
	var fe *FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, int64(24), fe.Offset)
	assert.Equal(t, 1, fe.Record)
}

func TestReadDoesNotAllocate(t *testing.T) {
	raw, err := os.ReadFile("testdata/ethernet-us-le.pcap")
	require.NoError(t, err)
	// Many copies of the records after one header.
	data := append([]byte(nil), raw...)
	for range 200 {
		data = append(data, raw[24:]...)
	}
	src, err := NewReader("many.pcap", bytes.NewReader(data), nil)
	require.NoError(t, err)
	var p Packet
	require.NoError(t, src.Next(&p))
	allocs := testing.AllocsPerRun(1000, func() {
		if err := src.Next(&p); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// BenchmarkReadPcap measures framing and decoding together: a pcap in
// memory read packet by packet, as analyze does.
func BenchmarkReadPcap(b *testing.B) {
	raw, err := os.ReadFile("../../fixtures/bookinfo/before/veth.pcap")
	require.NoError(b, err)
	data := append([]byte(nil), raw...)
	for len(data) < 64<<20 {
		data = append(data, raw[24:]...)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	packets := 0
	for b.Loop() {
		src, err := NewReader("bench.pcap", bytes.NewReader(data), nil)
		require.NoError(b, err)
		var p Packet
		for src.Next(&p) == nil {
			packets++
		}
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}
