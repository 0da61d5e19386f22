// Package peek reads what the first bytes a client sends on a TCP connection
// say about where it wants to go: the server name and ALPN protocols of a TLS
// ClientHello, or the request line and Host header of a plaintext HTTP/1.x
// request. On top of that it decodes Istio's naming: the SNI a sidecar puts on
// mTLS connections ("outbound_.9080_._.reviews.bookinfo.svc.cluster.local"),
// the ALPN protocols only a sidecar offers, and Kubernetes service host names.
//
// What it accepts: the payload of the first client-to-server segment (or the
// first few, concatenated) exactly as captured, possibly cut short by the
// capture's snaplen or by segmentation. A payload that is not what a parser
// reads is data, not an error: ParseClientHello and ParseHTTPRequest report it
// with ok false, and ParseClientHello says with incomplete that the bytes start
// like a ClientHello but end before its extensions could be read. Structure is
// checked strictly (every length field must agree with the one that encloses
// it), and no input, however malformed, makes a parser panic.
//
// Who owns which bytes: the input slice is the caller's and usually aliases a
// capture buffer that is reused for the next packet, so every string a parser
// returns is a copy, never a view into the input. The strings are untrusted:
// they are capped in length (MaxSNI, MaxALPN, MaxALPNProtocols, MaxHTTPField)
// but otherwise returned as sent, control characters included. Whoever prints
// them escapes them.
//
// What allocates: only the returned strings (and the slice holding the ALPN
// protocols). Parsing itself reads in place, so a ClientHello with neither SNI
// nor ALPN costs no allocation at all. ParseIstioSNI, ServiceOf and IsIstioALPN
// never allocate: the strings they return are substrings of their argument.
//
// Everything here is a pure function of its arguments and safe for concurrent
// use.
package peek
