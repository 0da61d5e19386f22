package capture

import (
	"bytes"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestPcapWriter: live --write's file is the classic little-endian
// microsecond pcap tcpdump -w writes: the header byte for byte, and
// records that read back with their time (cut to microseconds), captured
// and original lengths.
func TestPcapWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewPcapWriter(&out)
	if err := w.start(LinkType(layers.LinkTypeLinuxSLL2), 262144); err != nil {
		t.Fatal(err)
	}
	if err := w.start(LinkType(layers.LinkTypeEthernet), 96); err != nil { // a second capture: no second header
		t.Fatal(err)
	}
	records := []struct {
		at      time.Time
		data    []byte
		origLen int
	}{
		{time.Date(2025, 3, 14, 15, 10, 6, 153435999, time.UTC), []byte{1, 2, 3}, 3},
		{time.Date(2025, 3, 14, 15, 10, 6, 277440000, time.UTC), []byte{4, 5}, 1514}, // cut by the snaplen
		{time.Date(2025, 3, 14, 15, 10, 7, 0, time.UTC), nil, 0},
	}
	for _, r := range records {
		if err := w.WritePacket(r.at, r.data, r.origLen); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	const header = "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "14010000"
	if got := hex.EncodeToString(out.Bytes()[:24]); got != header {
		t.Errorf("file header %s, want %s", got, header)
	}
	r, err := pcapgo.NewReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeLinuxSLL2 || r.Snaplen() != 262144 {
		t.Errorf("link type %v, snaplen %d", r.LinkType(), r.Snaplen())
	}
	for i, want := range records {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !ci.Timestamp.Equal(want.at.Truncate(time.Microsecond)) || !bytes.Equal(data, want.data) ||
			ci.CaptureLength != len(want.data) || ci.Length != want.origLen {
			t.Errorf("record %d: %v %x %d/%d, want %v %x %d/%d", i, ci.Timestamp, data, ci.CaptureLength, ci.Length,
				want.at.Truncate(time.Microsecond), want.data, len(want.data), want.origLen)
		}
	}
	if _, _, err := r.ReadPacketData(); err != io.EOF {
		t.Errorf("after the last record: %v, want EOF", err)
	}
}

// TestPcapWriterDoesNotAllocate: live writes every frame it captures.
func TestPcapWriterDoesNotAllocate(t *testing.T) {
	w := NewPcapWriter(io.Discard)
	if err := w.start(LinkType(layers.LinkTypeEthernet), 262144); err != nil {
		t.Fatal(err)
	}
	frame, at := make([]byte, 1514), time.Now()
	if allocs := testing.AllocsPerRun(1000, func() {
		if err := w.WritePacket(at, frame, len(frame)); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("WritePacket: %v allocations a record, want 0", allocs)
	}
}
