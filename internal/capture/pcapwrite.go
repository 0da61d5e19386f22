package capture

import (
	"bufio"
	"encoding/binary"
	"io"
	"time"
)

// PcapWriter writes a classic pcap file (microsecond timestamps, the host's
// byte order as libpcap writes it: little-endian here), which every tool
// reads. It buffers; call Flush when done.
type PcapWriter struct {
	w       *bufio.Writer
	started bool
	hdr     [16]byte
}

// NewPcapWriter returns a writer; the file header is written when the link
// type is known (the first capture that uses it says).
func NewPcapWriter(w io.Writer) *PcapWriter {
	return &PcapWriter{w: bufio.NewWriterSize(w, 1<<16)}
}

// start writes the file header.
func (pw *PcapWriter) start(link LinkType, snaplen int) error {
	if pw.started {
		return nil
	}
	var h [pcapFileHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:4], pcapMagicMicro)
	le.PutUint16(h[4:6], 2)
	le.PutUint16(h[6:8], 4)
	le.PutUint32(h[16:20], uint32(snaplen))
	le.PutUint32(h[20:24], uint32(link))
	pw.started = true
	_, err := pw.w.Write(h[:])
	return err
}

// WritePacket appends one record. It does not allocate.
func (pw *PcapWriter) WritePacket(ts time.Time, data []byte, origLen int) error {
	le := binary.LittleEndian
	le.PutUint32(pw.hdr[0:4], uint32(ts.Unix()))
	le.PutUint32(pw.hdr[4:8], uint32(ts.Nanosecond()/1000))
	le.PutUint32(pw.hdr[8:12], uint32(len(data)))
	le.PutUint32(pw.hdr[12:16], uint32(max(origLen, len(data))))
	if _, err := pw.w.Write(pw.hdr[:]); err != nil {
		return err
	}
	_, err := pw.w.Write(data)
	return err
}

// Flush writes what is buffered.
func (pw *PcapWriter) Flush() error { return pw.w.Flush() }
