package capture

import (
	"bufio"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// PcapWriter writes a classic pcap file (microsecond timestamps,
// little-endian, as libpcap writes it on such a host), which every tool
// reads; gopacket's pcapgo.Writer writes the bytes. It buffers; call Flush
// when done.
type PcapWriter struct {
	buf     *bufio.Writer
	w       *pcapgo.Writer
	started bool
}

// NewPcapWriter returns a writer; the file header is written when the link
// type is known (the first capture that uses it says).
func NewPcapWriter(w io.Writer) *PcapWriter {
	buf := bufio.NewWriterSize(w, 1<<16)
	return &PcapWriter{buf: buf, w: pcapgo.NewWriter(buf)}
}

// start writes the file header.
func (pw *PcapWriter) start(link LinkType, snaplen int) error {
	if pw.started {
		return nil
	}
	pw.started = true
	return pw.w.WriteFileHeader(uint32(snaplen), layers.LinkType(link))
}

// WritePacket appends one record; origLen is the frame's length on the
// wire, at least len(data). It does not allocate.
func (pw *PcapWriter) WritePacket(ts time.Time, data []byte, origLen int) error {
	return pw.w.WritePacket(gopacket.CaptureInfo{
		Timestamp: ts, CaptureLength: len(data), Length: max(origLen, len(data)),
	}, data)
}

// Flush writes what is buffered.
func (pw *PcapWriter) Flush() error { return pw.buf.Flush() }
