package peek

import "errors"

// Caps on the strings ParseClientHello returns. A longer server name is cut to
// MaxSNI bytes; ALPN protocols past the first MaxALPNProtocols are dropped.
// A protocol name cannot exceed MaxALPN bytes: its length field is one byte.
const (
	MaxSNI           = 255
	MaxALPN          = 255
	MaxALPNProtocols = 16
)

// ClientHello is what a TLS ClientHello says about where the client wants to go.
type ClientHello struct {
	// SNI is the host_name of the server_name extension, "" when there is none.
	SNI string
	// ALPN lists the protocols of the application_layer_protocol_negotiation
	// extension in the client's order of preference; nil when there is none.
	ALPN []string
	// Version is the ClientHello's legacy_version, 0x0300 (SSL 3.0) to 0x0303
	// (TLS 1.2). A TLS 1.3 client sends 0x0303 here and names 1.3 in the
	// supported_versions extension, which ParseClientHello does not read.
	Version uint16
}

// The wire values ParseClientHello checks (RFC 8446, RFC 6066, RFC 7301).
const (
	recordHandshake      = 22
	handshakeClientHello = 1
	maxRecordLen         = 1 << 14 // TLSPlaintext.length
	maxSessionID         = 32
	extServerName        = 0
	extALPN              = 16
	nameTypeHostName     = 0
)

// errShort and errMalformed say why a span could not be read: the capture
// ended before the bytes a length field promises, or a length field disagrees
// with the one that encloses it.
var (
	errShort     = errors.New("peek: cut short")
	errMalformed = errors.New("peek: malformed")
)

// ParseClientHello reads the first bytes a client sent on a TCP connection.
//
// ok is true when they are a TLS handshake record holding a ClientHello whose
// every extension header was read, so that SNI and ALPN are known for sure;
// the data of the last extension need not have been captured unless it is
// server_name or ALPN (a snaplen that cuts into a trailing padding or
// pre_shared_key extension loses nothing). incomplete is true when every byte
// present agrees with a ClientHello but the bytes (or the first record) end
// before that point: the ClientHello spans several TCP segments, the
// capture's snaplen cut it, or it is fragmented over several TLS records,
// which is not reassembled. ok and incomplete are never both true; when both
// are false the bytes are not a ClientHello (another record type, an SSLv2
// hello, plaintext, or a length field that contradicts its neighbours).
//
// When incomplete, ch holds what was read before the cut: Version once the
// header is in, SNI and ALPN if their extensions came whole before the cut.
// When neither flag is set, ch is the zero value.
func ParseClientHello(b []byte) (ch ClientHello, ok, incomplete bool) {
	body, err := clientHelloBody(b)
	if err == nil {
		err = readClientHello(&ch, body)
	}
	switch {
	case err == nil:
		return ch, true, false
	case errors.Is(err, errShort):
		return ch, false, true
	}
	return ClientHello{}, false, false
}

// clientHelloBody checks the record and handshake headers and returns the
// span of the ClientHello body that lies in the first record.
func clientHelloBody(b []byte) (span, error) {
	// Check the record header a byte at a time so that a few bytes that agree
	// with it are "short", not "malformed".
	switch {
	case len(b) == 0 || b[0] != recordHandshake:
		return span{}, errMalformed
	case len(b) > 1 && b[1] != 3, len(b) > 2 && b[2] > 3: // 0x0300 to 0x0303
		return span{}, errMalformed
	case len(b) < 5:
		return span{}, errShort
	}
	n := int(b[3])<<8 | int(b[4])
	if n == 0 || n > maxRecordLen {
		return span{}, errMalformed
	}
	frag := span{b: b[5:min(len(b), 5+n)], n: n}
	typ, err := frag.u8()
	if err != nil {
		return span{}, err
	}
	if typ != handshakeClientHello {
		return span{}, errMalformed
	}
	if n < 4 {
		// The handshake header continues in the next record.
		return span{}, errShort
	}
	length, err := frag.u24()
	if err != nil {
		return span{}, err
	}
	// A body longer than the rest of the record continues in the next one:
	// reading past the record's end is then "short", not "malformed".
	captured, _ := frag.take(min(length, frag.n-frag.off))
	return span{b: captured, n: length}, nil
}

// readClientHello reads a ClientHello body (RFC 8446 section 4.1.2) into ch.
func readClientHello(ch *ClientHello, s span) error {
	version, err := s.u16()
	if err != nil {
		return err
	}
	if version < 0x0300 || version > 0x0303 {
		return errMalformed
	}
	ch.Version = uint16(version)
	if _, err := s.take(32); err != nil { // random
		return err
	}
	sessionID, err := s.vec8()
	if err != nil {
		return err
	}
	cipherSuites, err := s.vec16()
	if err != nil {
		return err
	}
	compression, err := s.vec8()
	if err != nil {
		return err
	}
	if sessionID.n > maxSessionID || cipherSuites.n < 2 || cipherSuites.n%2 != 0 || compression.n < 1 {
		return errMalformed
	}
	if s.done() {
		return nil // an SSL 3.0-style hello with no extensions
	}
	extensions, err := s.vec16()
	if err != nil {
		return err
	}
	if !s.done() {
		return errMalformed // bytes after the extensions
	}
	return readExtensions(ch, extensions)
}

// readExtensions reads the extensions block, keeping server_name and ALPN.
// Either appearing twice makes the ClientHello malformed, as RFC 8446
// section 4.2 says.
func readExtensions(ch *ClientHello, s span) error {
	var sawServerName, sawALPN bool
	for !s.done() {
		typ, err := s.u16()
		if err != nil {
			return err
		}
		data, err := s.vec16()
		if err != nil {
			return err
		}
		switch typ {
		case extServerName:
			if sawServerName {
				return errMalformed
			}
			sawServerName = true
			err = readServerName(ch, data)
		case extALPN:
			if sawALPN {
				return errMalformed
			}
			sawALPN = true
			err = readALPN(ch, data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readServerName reads a server_name extension (RFC 6066 section 3). Names of
// a type other than host_name are skipped; two host_names are malformed.
func readServerName(ch *ClientHello, data span) error {
	list, err := data.vec16()
	if err != nil {
		return err
	}
	if !data.done() || list.done() {
		return errMalformed
	}
	var found bool
	for !list.done() {
		typ, err := list.u8()
		if err != nil {
			return err
		}
		name, err := list.vec16()
		if err != nil {
			return err
		}
		if typ != nameTypeHostName {
			continue
		}
		if found || name.n == 0 {
			return errMalformed
		}
		found = true
		b, err := name.all()
		if err != nil {
			return err
		}
		ch.SNI = string(b[:min(len(b), MaxSNI)])
	}
	return nil
}

// readALPN reads an application_layer_protocol_negotiation extension
// (RFC 7301 section 3.1). It checks the whole list before copying any of it,
// so that ch.ALPN is set only from a list that arrived whole.
func readALPN(ch *ClientHello, data span) error {
	list, err := data.vec16()
	if err != nil {
		return err
	}
	if !data.done() || list.done() {
		return errMalformed
	}
	count := 0
	for check := list; !check.done(); count++ {
		proto, err := check.vec8()
		if err != nil {
			return err
		}
		if proto.n == 0 {
			return errMalformed
		}
		if _, err := proto.all(); err != nil {
			return err
		}
	}
	ch.ALPN = make([]string, 0, min(count, MaxALPNProtocols))
	for len(ch.ALPN) < cap(ch.ALPN) {
		proto, _ := list.vec8()
		ch.ALPN = append(ch.ALPN, string(proto.b))
	}
	return nil
}

// span is a region of a TLS message whose length a length field declared, of
// which only a prefix may have been captured. Reading past the declared length
// is errMalformed; reading within it but past the captured bytes is errShort.
type span struct {
	b   []byte // the captured bytes of the region; len(b) <= n
	n   int    // the declared length of the region
	off int    // how much of the region has been read; off <= n
}

// done reports whether the whole declared region has been read.
func (s *span) done() bool { return s.off == s.n }

// all returns the whole region, which must have been captured.
func (s *span) all() ([]byte, error) {
	if len(s.b) < s.n {
		return nil, errShort
	}
	return s.b, nil
}

// take advances over k bytes and returns those of them that were captured.
func (s *span) take(k int) ([]byte, error) {
	if k > s.n-s.off {
		return nil, errMalformed
	}
	from, to := min(s.off, len(s.b)), min(s.off+k, len(s.b))
	s.off += k
	return s.b[from:to], nil
}

// bigEndian reads a k-byte big-endian integer.
func (s *span) bigEndian(k int) (int, error) {
	p, err := s.take(k)
	if err != nil {
		return 0, err
	}
	if len(p) < k {
		return 0, errShort
	}
	v := 0
	for _, c := range p {
		v = v<<8 | int(c)
	}
	return v, nil
}

func (s *span) u8() (int, error)  { return s.bigEndian(1) }
func (s *span) u16() (int, error) { return s.bigEndian(2) }
func (s *span) u24() (int, error) { return s.bigEndian(3) }

// vec8 and vec16 read a vector with a one- or two-byte length prefix and
// return its region. The region may be only partly captured.
func (s *span) vec8() (span, error)  { return s.vec(1) }
func (s *span) vec16() (span, error) { return s.vec(2) }

func (s *span) vec(lenBytes int) (span, error) {
	n, err := s.bigEndian(lenBytes)
	if err != nil {
		return span{}, err
	}
	b, err := s.take(n)
	if err != nil {
		return span{}, err
	}
	return span{b: b, n: n}, nil
}
