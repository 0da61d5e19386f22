package peek

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clientHelloCase struct {
	name           string
	in             []byte
	want           ClientHello
	ok, incomplete bool
}

// goHellos are ClientHellos Go's crypto/tls writes: real encoders, with
// fresh randoms and key shares on every run.
type goHellos struct {
	istioTCP, istioHTTPSubset, tls12, tls12Bare, alpnOnly, tls10, ipLiteral []byte
}

func newGoHellos(tb testing.TB) goHellos {
	return goHellos{
		istioTCP:        goClientHello(tb, &tls.Config{ServerName: istioSNIReviews, NextProtos: istioTCPALPN}),
		istioHTTPSubset: goClientHello(tb, &tls.Config{ServerName: istioSNIReviewsV1, NextProtos: istioHTTP11ALPN}),
		tls12: goClientHello(tb, &tls.Config{ServerName: "reviews.bookinfo.svc.cluster.local",
			NextProtos: []string{"h2", "http/1.1"}, MaxVersion: tls.VersionTLS12}),
		tls12Bare: goClientHello(tb, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}),
		alpnOnly:  goClientHello(tb, &tls.Config{InsecureSkipVerify: true, NextProtos: istioH2ALPN}),
		tls10: goClientHello(tb, &tls.Config{ServerName: "ratings.bookinfo.svc.cluster.local",
			MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}),
		// Go leaves out server_name when ServerName is an IP address (RFC 6066
		// section 3 forbids literal addresses there), as when a client calls
		// a ClusterIP directly.
		ipLiteral: goClientHello(tb, &tls.Config{ServerName: "10.96.0.10", InsecureSkipVerify: true,
			NextProtos: []string{"http/1.1"}}),
	}
}

// clientHelloCases are the rows of TestParseClientHello and the seeds of
// FuzzParseClientHello: each name says what the row probes.
func clientHelloCases(tb testing.TB) []clientHelloCase {
	g := newGoHellos(tb)
	istioTCP := g.istioTCP
	sniAt := bytes.Index(istioTCP, []byte(istioSNIReviews))
	alpnAt := bytes.Index(istioTCP, []byte("istio-peer-exchange"))
	require.Positive(tb, sniAt)
	require.Greater(tb, alpnAt, sniAt, "Go writes server_name before ALPN")

	v13 := ClientHello{Version: 0x0303} // what a cut TLS 1.3 hello says so far
	long := string(bytes.Repeat([]byte("a"), 300))
	var many []string
	for i := range 20 {
		many = append(many, fmt.Sprintf("proto-%d", i))
	}
	sniThenALPN := hello(helloBody(sniExt("details.bookinfo.svc.cluster.local"), alpnExt("istio-peer-exchange", "istio")))
	frag := handshake(handshakeClientHello, helloBody(sniExt("a.example"), alpnExt("h2")))
	sslv2 := cat([]byte{0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10},
		bytes.Repeat([]byte{0x00, 0x00, 0x04}, 7), bytes.Repeat([]byte{0xcc}, 16))

	cases := []clientHelloCase{
		// Real ClientHellos.
		{name: "go TLS 1.3 with Istio SNI and TCP ALPN", in: istioTCP, ok: true,
			want: ClientHello{SNI: istioSNIReviews, ALPN: istioTCPALPN, Version: 0x0303}},
		{name: "go TLS 1.3 with Istio subset SNI and HTTP ALPN", in: g.istioHTTPSubset, ok: true,
			want: ClientHello{SNI: istioSNIReviewsV1, ALPN: istioHTTP11ALPN, Version: 0x0303}},
		{name: "go TLS 1.2 with SNI and ALPN", in: g.tls12, ok: true,
			want: ClientHello{SNI: "reviews.bookinfo.svc.cluster.local", ALPN: []string{"h2", "http/1.1"}, Version: 0x0303}},
		{name: "go TLS 1.2 without SNI or ALPN", in: g.tls12Bare, ok: true, want: ClientHello{Version: 0x0303}},
		{name: "go TLS 1.3 with ALPN but no SNI", in: g.alpnOnly, ok: true,
			want: ClientHello{ALPN: istioH2ALPN, Version: 0x0303}},
		{name: "go TLS 1.0", in: g.tls10, ok: true,
			want: ClientHello{SNI: "ratings.bookinfo.svc.cluster.local", Version: 0x0301}},
		{name: "go with an IP address as server name sends no SNI", in: g.ipLiteral, ok: true,
			want: ClientHello{ALPN: []string{"http/1.1"}, Version: 0x0303}},

		// Cut short.
		{name: "first of two segments, cut inside the SNI", in: istioTCP[:sniAt+10], incomplete: true, want: v13},
		{name: "second of two segments alone", in: istioTCP[sniAt+10:]},
		{name: "two segments joined", in: cat(istioTCP[:sniAt+10], istioTCP[sniAt+10:]), ok: true,
			want: ClientHello{SNI: istioSNIReviews, ALPN: istioTCPALPN, Version: 0x0303}},
		{name: "snaplen 128 over Ethernet, IPv4 and TCP with timestamps leaves 62 bytes", in: istioTCP[:62],
			incomplete: true, want: v13},
		{name: "cut inside ALPN after a whole SNI keeps the SNI", in: istioTCP[:alpnAt+5], incomplete: true,
			want: ClientHello{SNI: istioSNIReviews, Version: 0x0303}},
		{name: "cut inside hand-built ALPN after a whole SNI", in: sniThenALPN[:len(sniThenALPN)-3], incomplete: true,
			want: ClientHello{SNI: "details.bookinfo.svc.cluster.local", Version: 0x0303}},
		{name: "empty", in: nil},
		{name: "one byte of handshake record type", in: []byte{0x16}, incomplete: true},
		{name: "record header cut after the version", in: []byte{0x16, 0x03, 0x01}, incomplete: true},
		{name: "record header alone", in: istioTCP[:5], incomplete: true},
		{name: "record header and handshake type", in: istioTCP[:6], incomplete: true},
		{name: "hello fragmented over two records is not reassembled", in: cat(
			record(recordHandshake, 0x0301, frag[:40]), record(recordHandshake, 0x0301, frag[40:])),
			incomplete: true, want: v13},
		{name: "handshake header split over two records", in: cat(
			record(recordHandshake, 0x0301, frag[:2]), record(recordHandshake, 0x0301, frag[2:])), incomplete: true},

		// Not a ClientHello.
		{name: "garbage", in: []byte("\x00\x01\x02\x03\xff\xfe\xfd\xfc")},
		{name: "plaintext HTTP", in: []byte("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n")},
		{name: "TLS alert record", in: record(21, 0x0303, []byte{2, 40})},
		{name: "change_cipher_spec record", in: record(20, 0x0303, []byte{1})},
		{name: "application_data record", in: record(23, 0x0303, bytes.Repeat([]byte{0x42}, 64))},
		{name: "ServerHello", in: record(recordHandshake, 0x0303, handshake(2, helloBody()))},
		{name: "SSLv2-style ClientHello", in: sslv2},
		{name: "record version 0x0304", in: record(recordHandshake, 0x0304, handshake(handshakeClientHello, helloBody()))},
		{name: "record major version 2", in: []byte{0x16, 0x02}},
		{name: "record length 0", in: []byte{0x16, 0x03, 0x01, 0x00, 0x00}},
		{name: "record length over 2^14", in: cat([]byte{0x16, 0x03, 0x01, 0x40, 0x01}, make([]byte, 1<<14+1))},
		{name: "handshake length 0", in: record(recordHandshake, 0x0301, handshake(handshakeClientHello, nil))},
		{name: "legacy_version 0x0304", in: hello(cat(helloPrefix(0x0304), vec16()))},
		{name: "legacy_version 0x0200", in: hello(cat(helloPrefix(0x0200), vec16()))},
		{name: "session ID of 33 bytes", in: hello(cat(u16(0x0303), make([]byte, 32), vec8(make([]byte, 33)),
			vec16(u16(0x1301)), vec8([]byte{0}), vec16()))},
		{name: "odd cipher suites length", in: hello(cat(u16(0x0303), make([]byte, 32), vec8(),
			vec16([]byte{0x13, 0x01, 0x13}), vec8([]byte{0}), vec16()))},
		{name: "no cipher suites", in: hello(cat(u16(0x0303), make([]byte, 32), vec8(), vec16(), vec8([]byte{0}), vec16()))},
		{name: "no compression methods", in: hello(cat(u16(0x0303), make([]byte, 32), vec8(),
			vec16(u16(0x1301)), vec8(), vec16()))},
		{name: "extensions block longer than the hello", in: hello(cat(helloPrefix(0x0303), u16(100), sniExt("a")))},
		{name: "bytes after the extensions block", in: hello(cat(helloBody(sniExt("a")), []byte{0}))},
		{name: "extension longer than the extensions block", in: hello(cat(helloPrefix(0x0303),
			vec16(u16(0xfe00), u16(50), []byte("abc"))))},
		{name: "two server_name extensions", in: hello(helloBody(sniExt("a"), sniExt("b")))},
		{name: "two host_names in one server_name", in: hello(helloBody(sniExt("a", "b")))},
		{name: "empty host_name", in: hello(helloBody(sniExt("")))},
		{name: "empty server_name list", in: hello(helloBody(ext(extServerName, vec16())))},
		{name: "server_name list shorter than its extension", in: hello(helloBody(
			ext(extServerName, vec16([]byte{nameTypeHostName}, vec16([]byte("a"))), []byte{0})))},
		{name: "two ALPN extensions", in: hello(helloBody(alpnExt("h2"), alpnExt("h2")))},
		{name: "empty ALPN protocol", in: hello(helloBody(alpnExt("h2", "")))},
		{name: "empty ALPN list", in: hello(helloBody(ext(extALPN, vec16())))},
		{name: "ALPN list shorter than its extension", in: hello(helloBody(ext(extALPN, vec16(vec8([]byte("h2"))), []byte{0})))},
		{name: "ALPN protocol longer than its list", in: hello(helloBody(ext(extALPN, vec16([]byte{5}, []byte("h2")))))},

		// Valid shapes real clients rarely send.
		{name: "SSL 3.0 hello without extensions", in: hello(helloPrefix(0x0300)), ok: true,
			want: ClientHello{Version: 0x0300}},
		{name: "empty extensions block", in: hello(helloBody()), ok: true, want: ClientHello{Version: 0x0303}},
		{name: "ALPN before SNI, GREASE and unknown extensions around them", in: hello(helloBody(
			ext(0x0a0a), alpnExt("istio-h2", "istio", "h2"), ext(0xfe0d, []byte("xyz")), sniExt("a.example"), supportedVersions13)),
			ok: true, want: ClientHello{SNI: "a.example", ALPN: []string{"istio-h2", "istio", "h2"}, Version: 0x0303}},
		{name: "server_name of another name type only", in: hello(helloBody(
			ext(extServerName, vec16([]byte{1}, vec16([]byte("x")))))), ok: true, want: ClientHello{Version: 0x0303}},
		{name: "another name type before the host_name", in: hello(helloBody(
			ext(extServerName, vec16([]byte{1}, vec16([]byte("x")), []byte{0}, vec16([]byte("a.example")))))),
			ok: true, want: ClientHello{SNI: "a.example", Version: 0x0303}},
		{name: "SNI of 300 bytes is cut to 255", in: hello(helloBody(sniExt(long))), ok: true,
			want: ClientHello{SNI: long[:MaxSNI], Version: 0x0303}},
		{name: "SNI with control characters is kept as sent", in: hello(helloBody(sniExt("evil\x1b[31m\x00.example"))),
			ok: true, want: ClientHello{SNI: "evil\x1b[31m\x00.example", Version: 0x0303}},
		{name: "20 ALPN protocols keep the first 16", in: hello(helloBody(alpnExt(many...))), ok: true,
			want: ClientHello{ALPN: many[:MaxALPNProtocols], Version: 0x0303}},
		{name: "ALPN protocol of 255 bytes", in: hello(helloBody(alpnExt(long[:255]))), ok: true,
			want: ClientHello{ALPN: []string{long[:255]}, Version: 0x0303}},
		{name: "another handshake message after the hello in its record", in: record(recordHandshake, 0x0301, cat(
			handshake(handshakeClientHello, helloBody(sniExt("a.example"))), handshake(20, make([]byte, 12)))),
			ok: true, want: ClientHello{SNI: "a.example", Version: 0x0303}},
	}
	for _, h := range loadHexHellos(tb) {
		cases = append(cases, clientHelloCase{name: "testdata " + h.name, in: h.bytes, ok: true, want: h.want})
	}
	return cases
}

func TestParseClientHello(t *testing.T) {
	for _, tc := range clientHelloCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			ch, ok, incomplete := ParseClientHello(tc.in)
			assert.Equal(t, tc.want, ch)
			assert.Equal(t, tc.ok, ok, "ok")
			assert.Equal(t, tc.incomplete, incomplete, "incomplete")
		})
	}
}

// TestParseClientHelloEveryPrefix cuts every real ClientHello at every byte.
// A cut is never "not a ClientHello": it is incomplete, with nothing that
// disagrees with the whole, until the last extension header is in; from
// there on it is ok and says what the whole says.
func TestParseClientHelloEveryPrefix(t *testing.T) {
	for _, tc := range clientHelloCases(t) {
		if !tc.ok || !strings.HasPrefix(tc.name, "go ") && !strings.HasPrefix(tc.name, "testdata ") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			sawOK := false
			for i := 1; i <= len(tc.in); i++ {
				ch, ok, incomplete := ParseClientHello(tc.in[:i])
				if ok {
					sawOK = true
					require.Equal(t, tc.want, ch, "cut at %d", i)
					continue
				}
				require.True(t, incomplete && !sawOK, "cut at %d: ok=%v incomplete=%v after ok=%v", i, ok, incomplete, sawOK)
				require.Contains(t, []uint16{0, tc.want.Version}, ch.Version, "cut at %d", i)
				if ch.SNI != "" {
					require.Equal(t, tc.want.SNI, ch.SNI, "cut at %d", i)
				}
				if ch.ALPN != nil {
					require.Equal(t, tc.want.ALPN, ch.ALPN, "cut at %d", i)
				}
			}
		})
	}
}

// TestParseClientHelloCopies checks that the strings survive the reuse of the
// capture buffer they were read from.
func TestParseClientHelloCopies(t *testing.T) {
	in := hello(helloBody(sniExt("reviews.bookinfo.svc.cluster.local"), alpnExt("istio-peer-exchange", "istio")))
	ch, ok, _ := ParseClientHello(in)
	require.True(t, ok)
	clear(in)
	assert.Equal(t, ClientHello{SNI: "reviews.bookinfo.svc.cluster.local",
		ALPN: []string{"istio-peer-exchange", "istio"}, Version: 0x0303}, ch)
}

func TestParseClientHelloAllocs(t *testing.T) {
	g := newGoHellos(t)
	istio := hello(helloBody(sniExt(istioSNIReviews), alpnExt(istioTCPALPN...), supportedVersions13))
	tests := []struct {
		name string
		in   []byte
		want float64
	}{
		{"no SNI or ALPN: nothing to copy", g.tls12Bare, 0},
		{"cut short before the extensions", g.tls12[:60], 0},
		{"not a ClientHello", []byte("GET / HTTP/1.1\r\n"), 0},
		{"SNI, the ALPN slice and its two protocols", istio, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() { ParseClientHello(tc.in) })
			assert.Equal(t, tc.want, got)
		})
	}
}

func BenchmarkParseClientHello(b *testing.B) {
	g := newGoHellos(b)
	benches := []struct {
		name string
		in   []byte
	}{
		{"no SNI or ALPN", g.tls12Bare},
		{"Istio SNI and ALPN", hello(helloBody(sniExt(istioSNIReviews), alpnExt(istioTCPALPN...), supportedVersions13))},
	}
	for _, h := range loadHexHellos(b) {
		benches = append(benches, struct {
			name string
			in   []byte
		}{h.name, h.bytes})
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				ParseClientHello(bc.in)
			}
		})
	}
}
