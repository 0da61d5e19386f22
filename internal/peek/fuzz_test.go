package peek

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseClientHello checks, beyond not panicking, that the result is one
// of the three states, that the strings are capped copies of input bytes, and
// that cutting an ok input never makes it "not a ClientHello".
func FuzzParseClientHello(f *testing.F) {
	// Every row of TestParseClientHello, real and hand-built: its name says
	// the edge it probes.
	for _, tc := range clientHelloCases(f) {
		f.Add(tc.in)
	}
	// A hello whose last extension (padding) is only partly captured.
	f.Add(hello(helloBody(sniExt("a.example"), ext(21, make([]byte, 200))))[:120])
	// A hello with as many ALPN protocols as fit the cap, each of the longest.
	f.Add(hello(helloBody(alpnExt(slices.Repeat([]string{strings.Repeat("p", 255)}, MaxALPNProtocols)...))))
	// A record of the largest length, 2^14: the edge of the record length
	// check. Its all-zero body then fails on legacy_version.
	f.Add(cat([]byte{0x16, 0x03, 0x03, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc}, make([]byte, 1<<14-4)))
	// Payloads of real captures; payloadSeedFiles says what each holds.
	for _, b := range capturePayloads(f, 8) {
		f.Add(b)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		ch, ok, incomplete := ParseClientHello(b)
		checkClientHello(t, b, ch, ok, incomplete)

		c := bytes.Clone(b)
		again, _, _ := ParseClientHello(c)
		clear(c)
		require.Equal(t, ch, again, "strings must not alias the input")

		if !ok {
			return
		}
		for _, i := range cuts(len(b)) {
			cut, cutOK, cutIncomplete := ParseClientHello(b[:i])
			checkClientHello(t, b[:i], cut, cutOK, cutIncomplete)
			if cutOK {
				require.Equal(t, ch, cut, "cut at %d of an ok hello", i)
				continue
			}
			require.True(t, cutIncomplete, "cut at %d of an ok hello is not a ClientHello", i)
			if cut.SNI != "" {
				require.Equal(t, ch.SNI, cut.SNI, "cut at %d", i)
			}
			if cut.ALPN != nil {
				require.Equal(t, ch.ALPN, cut.ALPN, "cut at %d", i)
			}
		}
	})
}

// checkClientHello checks what must hold for any result of ParseClientHello.
func checkClientHello(t *testing.T, b []byte, ch ClientHello, ok, incomplete bool) {
	t.Helper()
	require.False(t, ok && incomplete, "ok and incomplete")
	if !ok && !incomplete {
		require.Equal(t, ClientHello{}, ch, "not a ClientHello, yet fields are set")
		return
	}
	require.Equal(t, byte(recordHandshake), b[0])
	require.LessOrEqual(t, len(ch.SNI), MaxSNI)
	require.True(t, bytes.Contains(b, []byte(ch.SNI)), "SNI %q is not from the input", ch.SNI)
	require.LessOrEqual(t, len(ch.ALPN), MaxALPNProtocols)
	for _, p := range ch.ALPN {
		require.NotEmpty(t, p)
		require.LessOrEqual(t, len(p), MaxALPN)
		require.True(t, bytes.Contains(b, []byte(p)), "ALPN %q is not from the input", p)
	}
	if ok {
		require.True(t, ch.Version >= 0x0300 && ch.Version <= 0x0303, "version %#04x", ch.Version)
	}
}

// FuzzParseHTTPRequest checks, beyond not panicking, that an ok result is a
// well-formed request head made of capped copies of input bytes, and that a
// head read from a prefix agrees with the head read from the whole.
func FuzzParseHTTPRequest(f *testing.F) {
	// Every row of TestParseHTTPRequest: its name says the edge it probes.
	for _, tc := range httpCases() {
		f.Add([]byte(tc.in))
	}
	// Host on the line right after a bare CR inside another field's value.
	f.Add([]byte("GET / HTTP/1.1\r\nA: b\rc\r\nHost: h\r\n\r\n"))
	// A Host line that is only blanks after the colon, then a fold.
	f.Add([]byte("GET / HTTP/1.1\r\nHost: \t \r\n x\r\n\r\n"))
	// Only empty lines: the skipping loop must stop at the end.
	f.Add([]byte("\r\n\n\r\n"))
	// Payloads of real captures; payloadSeedFiles says what each holds.
	for _, b := range capturePayloads(f, 8) {
		f.Add(b)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		req, ok := ParseHTTPRequest(b)
		checkHTTPRequest(t, b, req, ok)

		c := bytes.Clone(b)
		again, _ := ParseHTTPRequest(c)
		clear(c)
		require.Equal(t, req, again, "strings must not alias the input")

		if !ok {
			return
		}
		// One more byte that ends no line cannot change what was read.
		more, moreOK := ParseHTTPRequest(append(bytes.Clone(b), 'X'))
		require.True(t, moreOK)
		require.Equal(t, req, more, "appending a byte changed the head")
		for _, i := range cuts(len(b)) {
			cut, cutOK := ParseHTTPRequest(b[:i])
			checkHTTPRequest(t, b[:i], cut, cutOK)
			if !cutOK {
				continue
			}
			require.Equal(t, req.Method+" "+req.Target+" "+req.Proto, cut.Method+" "+cut.Target+" "+cut.Proto, "cut at %d", i)
			if cut.Host != "" {
				require.Equal(t, req.Host, cut.Host, "cut at %d", i)
			}
		}
	})
}

// checkHTTPRequest checks what must hold for any result of ParseHTTPRequest.
func checkHTTPRequest(t *testing.T, b []byte, req HTTPRequest, ok bool) {
	t.Helper()
	if !ok {
		require.Equal(t, HTTPRequest{}, req, "not a request, yet fields are set")
		return
	}
	require.Contains(t, methods[:], req.Method)
	require.Contains(t, []string{"HTTP/1.0", "HTTP/1.1"}, req.Proto)
	require.NotEmpty(t, req.Target)
	require.LessOrEqual(t, len(req.Target), MaxHTTPField)
	require.LessOrEqual(t, len(req.Host), MaxHTTPField)
	require.True(t, visible([]byte(req.Target)), "target %q holds a blank or a control character", req.Target)
	require.True(t, bytes.Contains(b, []byte(req.Target)), "target %q is not from the input", req.Target)
	require.True(t, bytes.Contains(b, []byte(req.Host)), "host %q is not from the input", req.Host)
	require.Equal(t, strings.Trim(req.Host, " \t"), req.Host, "host keeps its surrounding blanks")
}

// FuzzParseIstioSNI checks that what ParseIstioSNI accepts is exactly what
// Istio writes (String gives the input back) and that ServiceOf returns the
// leading labels of its input.
func FuzzParseIstioSNI(f *testing.F) {
	// The rows of TestParseIstioSNI and TestServiceOf in short: a service, a
	// subset, inbound, a separator in the host, a bad port, a plain host.
	for _, s := range []string{istioSNIReviews, istioSNIReviewsV1, "inbound_.9080_._.a", "outbound_.9080_._.a_.b",
		"outbound_.09080_._.a", "reviews.bookinfo.svc.cluster.local", "reviews.bookinfo.svc.cluster.local.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sni, ok := ParseIstioSNI(s); ok {
			require.Equal(t, s, sni.String())
			require.NotZero(t, sni.Port)
			require.Contains(t, []string{"outbound", "inbound"}, sni.Direction)
		} else {
			require.Equal(t, IstioSNI{}, sni)
		}
		if namespace, name, ok := ServiceOf(s); ok {
			require.True(t, strings.HasPrefix(s, name+"."+namespace+".svc."), "%q is not %q.%q.svc.…", s, name, namespace)
		} else {
			require.Empty(t, namespace+name)
		}
	})
}

// cuts returns up to nine cut points in (0, n): eight spread evenly and n-1.
func cuts(n int) []int {
	var at []int
	for k := 1; k <= 8; k++ {
		if i := n * k / 9; i > 0 && !slices.Contains(at, i) {
			at = append(at, i)
		}
	}
	if n > 1 && !slices.Contains(at, n-1) {
		at = append(at, n-1)
	}
	return at
}
