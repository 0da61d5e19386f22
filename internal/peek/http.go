package peek

import "bytes"

// MaxHTTPField caps the Target and Host ParseHTTPRequest returns; longer ones
// are cut to this many bytes.
const MaxHTTPField = 1024

// HTTPRequest is a plaintext HTTP/1.x request head.
type HTTPRequest struct {
	// Method is one of GET HEAD POST PUT DELETE PATCH OPTIONS CONNECT TRACE.
	Method string
	// Target is the request-target as sent: a path ("/reviews/0"), an
	// absolute URL ("http://reviews:9080/reviews/0", as sent to a proxy), an
	// authority ("reviews:9080", for CONNECT) or "*".
	Target string
	// Proto is "HTTP/1.0" or "HTTP/1.1".
	Proto string
	// Host is the value of the first Host header with surrounding blanks
	// removed, port included ("reviews:9080"); "" when none was found. It is
	// not taken from an absolute-form Target.
	Host string
}

// methods are the methods of RFC 9110 section 9 and RFC 5789 (PATCH).
var methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}

// ParseHTTPRequest reads the request line and the Host header from the first
// segment a client sent. ok is false unless the bytes begin with a whole,
// valid HTTP/1.0 or HTTP/1.1 request line (RFC 9112 section 3) with one of
// the known methods, ended by CRLF or a bare LF; empty lines before it are
// skipped, as RFC 9112 section 2.2 allows.
//
// The head may be cut anywhere after the request line: Host is looked for in
// the header lines that arrived whole, up to the blank line that ends the
// head, a cut, or the first line that is not a header field. Header names are
// matched without regard to case.
func ParseHTTPRequest(b []byte) (req HTTPRequest, ok bool) {
	for bytes.HasPrefix(b, []byte("\r\n")) || bytes.HasPrefix(b, []byte("\n")) {
		b = b[bytes.IndexByte(b, '\n')+1:]
	}
	line, rest, found := cutLine(b)
	if !found {
		return HTTPRequest{}, false
	}
	method, target, proto, ok := splitRequestLine(line)
	if !ok {
		return HTTPRequest{}, false
	}
	req = HTTPRequest{Method: method, Proto: proto}
	req.Target = string(target[:min(len(target), MaxHTTPField)])
	if host, ok := findHost(rest); ok {
		// Trim again after the cap: a cut just after a blank would leave one.
		req.Host = string(bytes.TrimRight(host[:min(len(host), MaxHTTPField)], " \t"))
	}
	return req, true
}

// splitRequestLine splits "METHOD SP request-target SP HTTP-version". Method
// and proto come back as constants, so they cost no allocation.
func splitRequestLine(line []byte) (method string, target []byte, proto string, ok bool) {
	m, rest, found := bytes.Cut(line, []byte(" "))
	if !found {
		return "", nil, "", false
	}
	for _, known := range methods {
		if string(m) == known {
			method = known
			break
		}
	}
	target, version, found := bytes.Cut(rest, []byte(" "))
	switch {
	case method == "", !found, len(target) == 0, !visible(target):
		return "", nil, "", false
	case string(version) == "HTTP/1.1":
		proto = "HTTP/1.1"
	case string(version) == "HTTP/1.0":
		proto = "HTTP/1.0"
	default:
		return "", nil, "", false
	}
	return method, target, proto, true
}

// findHost returns the value of the first Host field in the header lines
// that arrived whole.
func findHost(b []byte) (value []byte, ok bool) {
	for {
		line, rest, found := cutLine(b)
		if !found || len(line) == 0 {
			return nil, false // cut, or the end of the head
		}
		b = rest
		if line[0] == ' ' || line[0] == '\t' {
			continue // an obsolete line folding continues the previous field
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found || !isToken(name) {
			return nil, false // not a header field: the head is over or broken
		}
		if equalFoldASCII(name, "host") {
			return bytes.Trim(value, " \t"), true
		}
	}
}

// cutLine cuts b after its first LF and returns the line without its CRLF or
// LF; found is false when b holds no LF.
func cutLine(b []byte) (line, rest []byte, found bool) {
	line, rest, found = bytes.Cut(b, []byte("\n"))
	if !found {
		return nil, b, false
	}
	return bytes.TrimSuffix(line, []byte("\r")), rest, true
}

// visible reports whether b holds only visible ASCII and obs-text: no space,
// no control character, as a request-target must.
func visible(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// isToken reports whether b is a non-empty RFC 9110 token, as a field name is.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0:
		default:
			return false
		}
	}
	return true
}

// equalFoldASCII reports whether b equals the lower-case ASCII word s,
// ignoring the case of b.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
