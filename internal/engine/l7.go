package engine

import (
	"encoding/binary"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/peek"
)

// What the payload of a flow says: a TLS ClientHello's SNI and ALPN, or a
// plaintext HTTP request's line and Host. Only the first few payload
// segments of each side are looked at; a flow whose capture starts
// mid-connection usually shows neither.
type l7Info struct {
	sni        string
	alpn       []string
	helloFrom  uint8 // side that sent the ClientHello, or sideNone
	incomplete bool  // a ClientHello began but could not be read whole
	httpHost   string
	httpReq    string
	httpFrom   uint8

	// Reassembly of a ClientHello spanning TCP segments.
	buf     []byte
	bufFrom uint8
	nextSeq uint32
	want    int
}

const (
	// maxL7Tries is how many payload segments per side are looked at.
	maxL7Tries = 3
	// maxHelloLen bounds ClientHello reassembly: a TLS record holds at most
	// 16 KiB.
	maxHelloLen        = 5 + 16384
	tlsRecordHandshake = 22
)

// inspect looks at a payload segment of flow fi sent by side. A flow is
// done (l7Done), and Add no longer calls inspect for it, once its payload
// named something (a ClientHello read whole, or cut; an HTTP request), or
// once each side has shown maxL7Tries segments that were neither: a long
// pooled connection costs a few looks, not one a packet.
func (a *Analyzer) inspect(fi int32, p *capture.Packet, side uint8) {
	f := a.table.at(fi)
	if f.l7 >= 0 {
		if info := &a.l7[f.l7]; info.buf != nil && info.bufFrom == side {
			a.continueHello(f, info, p)
			return
		}
	}
	if f.l7Tries[side] >= maxL7Tries {
		return
	}
	f.l7Tries[side]++
	a.inspected++
	ch, ok, incomplete := peek.ParseClientHello(p.Payload)
	switch {
	case ok:
		info := a.l7Of(f)
		info.sni, info.alpn, info.helloFrom = ch.SNI, ch.ALPN, side
		f.l7Done = true
		return
	case incomplete:
		a.startHello(f, p, side)
		return
	}
	if req, ok := peek.ParseHTTPRequest(p.Payload); ok {
		info := a.l7Of(f)
		info.httpHost, info.httpFrom = req.Host, side
		info.httpReq = req.Method + " " + req.Target
		f.l7Done = true
		return
	}
	if f.l7Tries[0] >= maxL7Tries && f.l7Tries[1] >= maxL7Tries {
		f.l7Done = true
	}
}

// l7Of returns the flow's l7 record, creating it.
func (a *Analyzer) l7Of(f *flowState) *l7Info {
	if f.l7 < 0 {
		f.l7 = int32(len(a.l7))
		a.l7 = append(a.l7, l7Info{helloFrom: sideNone, httpFrom: sideNone, bufFrom: sideNone})
	}
	return &a.l7[f.l7]
}

// startHello begins reassembling a ClientHello that did not fit one
// segment. When the capture cut the segment (snapshot length), the rest is
// not coming: the ClientHello is marked incomplete instead.
func (a *Analyzer) startHello(f *flowState, p *capture.Packet, side uint8) {
	info := a.l7Of(f)
	info.incomplete = true
	if p.Transport != capture.TCP || len(p.Payload) < p.PayloadLen || len(p.Payload) < 5 || p.Payload[0] != tlsRecordHandshake {
		f.l7Done = true
		return
	}
	want := 5 + int(binary.BigEndian.Uint16(p.Payload[3:5]))
	if want > maxHelloLen || want <= len(p.Payload) {
		f.l7Done = true
		return
	}
	info.buf = append(make([]byte, 0, want), p.Payload...)
	info.bufFrom, info.want = side, want
	info.nextSeq = p.Seq + uint32(p.PayloadLen)
}

// continueHello adds the next in-order segment to a ClientHello being
// reassembled. A gap or a cut segment ends the attempt.
func (a *Analyzer) continueHello(f *flowState, info *l7Info, p *capture.Packet) {
	a.inspected++
	if p.Seq != info.nextSeq || len(p.Payload) < p.PayloadLen {
		info.buf = nil
		f.l7Done = true
		return
	}
	info.buf = append(info.buf, p.Payload[:min(len(p.Payload), info.want-len(info.buf))]...)
	info.nextSeq += uint32(p.PayloadLen)
	if len(info.buf) < info.want {
		return
	}
	if ch, ok, _ := peek.ParseClientHello(info.buf); ok {
		info.sni, info.alpn, info.helloFrom = ch.SNI, ch.ALPN, info.bufFrom
		info.incomplete = false
	}
	info.buf = nil
	f.l7Done = true
}

// says reports whether the payload named anything: an SNI, ALPN, or an HTTP
// request.
func (l *l7Info) says() bool { return l.sni != "" || len(l.alpn) > 0 || l.httpReq != "" }
