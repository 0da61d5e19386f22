package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// FuzzReader feeds arbitrary bytes through format detection, pcap and
// pcapng framing (plain or gzip) and decoding. Beyond not panicking, it
// checks that reading ends with io.EOF or a *FileError, that every record
// is counted under exactly one outcome, that decoded packets are whole,
// and that a pcap or pcapng file cut short reads as the first packets of
// the whole.
func FuzzReader(f *testing.F) {
	for _, name := range []string{
		"ethernet-us-le.pcap",   // the plain case every reader must get right
		"ethernet-ns-be.pcap",   // big-endian with nanosecond timestamps
		"kuznetzov.pcap",        // 24-byte record headers
		"multi.pcapng",          // two link types, SPB, NRB and ISB blocks
		"two-sections.pcapng",   // a second, big-endian section resets interfaces
		"ethernet.pcap.gz",      // gzip detected by content
		"truncated-record.pcap", // a record cut in its data
		"malformed.pcap",        // broken headers inside sound framing
	} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// A pcapng block whose length is not a multiple of 4.
	f.Add([]byte("\x0a\x0d\x0d\x0a\x1d\x00\x00\x00\x4d\x3c\x2b\x1a"))
	// A pcap header announcing a record of 4 GiB.
	f.Add(append([]byte("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00"),
		"\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"...))
	// Files of tcpdump's test corpus (when present); corpusReaderSeeds says
	// what edge each probes.
	for _, name := range corpusReaderSeeds {
		if data := corpusFile(f, name); data != nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(10*time.Second, len(data))()
		src, err := NewReader("fuzz", bytes.NewReader(data), nil)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("open error %T is not a *FileError: %v", err, err)
			}
			return
		}
		var p Packet
		var pkts []Packet
		decoded := 0
		for {
			err := src.Next(&p)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("read error %T is not a *FileError: %v", err, err)
				}
				break
			}
			decoded++
			if !p.Src.IsValid() || !p.Dst.IsValid() || len(p.Payload) > p.PayloadLen {
				t.Fatalf("incomplete packet %+v", p)
			}
			kept := p
			kept.Payload = nil
			pkts = append(pkts, kept)
		}
		info := src.Info()
		total := 0
		for _, o := range Outcomes() {
			total += info.Outcomes.Count(o)
		}
		if total != info.Records || info.Outcomes.Count(Decoded) != decoded {
			t.Fatalf("records %d, outcomes %d, decoded %d of %d", info.Records, total, decoded, info.Outcomes.Count(Decoded))
		}
		src.Close()
		// A cut never changes what came before it: pcap and pcapng cut
		// at two thirds read as the first packets of the whole.
		if info.Format != FormatPcap && info.Format != FormatPcapNG || len(data) < 3 {
			return
		}
		cut, openErr, _ := cutRead(t, "fuzz-cut", data[:len(data)*2/3])
		if openErr == nil && (len(cut) > len(pkts) || !samePackets(cut, pkts[:len(cut)])) {
			t.Fatalf("cut at %d of %d: %d packets that are not the first of the whole file's %d", len(data)*2/3, len(data), len(cut), len(pkts))
		}
	})
}
