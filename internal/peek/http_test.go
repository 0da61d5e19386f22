package peek

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type httpCase struct {
	name string
	in   string
	want HTTPRequest
	ok   bool
}

// httpCases are the rows of TestParseHTTPRequest and the seeds of
// FuzzParseHTTPRequest: each name says what the row probes.
func httpCases() []httpCase {
	long := strings.Repeat("x", 2000)
	get := func(target, host string) HTTPRequest {
		return HTTPRequest{Method: "GET", Target: target, Proto: "HTTP/1.1", Host: host}
	}
	return []httpCase{
		{"bookinfo productpage to reviews",
			"GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\nUser-Agent: python-requests/2.31\r\nAccept: */*\r\n\r\n",
			get("/reviews/0", "reviews:9080"), true},
		{"lower-case host", "GET / HTTP/1.1\r\nhost: ratings.bookinfo.svc.cluster.local\r\n\r\n",
			get("/", "ratings.bookinfo.svc.cluster.local"), true},
		{"upper-case HOST after other fields", "GET / HTTP/1.1\r\nAccept: */*\r\nHOST: details\r\n\r\n",
			get("/", "details"), true},
		{"absolute-form target, as sent to a proxy",
			"GET http://reviews.bookinfo.svc.cluster.local:9080/reviews/0 HTTP/1.1\r\nHost: reviews.bookinfo.svc.cluster.local:9080\r\n\r\n",
			get("http://reviews.bookinfo.svc.cluster.local:9080/reviews/0", "reviews.bookinfo.svc.cluster.local:9080"), true},
		{"absolute-form target without Host: Host is not taken from the target",
			"GET http://reviews:9080/ HTTP/1.1\r\n\r\n", get("http://reviews:9080/", ""), true},
		{"HTTP/1.0 without Host", "GET /health HTTP/1.0\r\nUser-Agent: probe\r\n\r\n",
			HTTPRequest{Method: "GET", Target: "/health", Proto: "HTTP/1.0"}, true},
		{"CONNECT in authority form", "CONNECT reviews:9080 HTTP/1.1\r\nHost: reviews:9080\r\n\r\n",
			HTTPRequest{Method: "CONNECT", Target: "reviews:9080", Proto: "HTTP/1.1", Host: "reviews:9080"}, true},
		{"OPTIONS in asterisk form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
			HTTPRequest{Method: "OPTIONS", Target: "*", Proto: "HTTP/1.1", Host: "a"}, true},
		{"POST with a body holding a Host line",
			"POST /api HTTP/1.1\r\nContent-Length: 14\r\n\r\nHost: not-this",
			HTTPRequest{Method: "POST", Target: "/api", Proto: "HTTP/1.1"}, true},
		{"every other known method: HEAD", "HEAD / HTTP/1.1\r\n", HTTPRequest{Method: "HEAD", Target: "/", Proto: "HTTP/1.1"}, true},
		{"every other known method: PUT", "PUT / HTTP/1.1\r\n", HTTPRequest{Method: "PUT", Target: "/", Proto: "HTTP/1.1"}, true},
		{"every other known method: DELETE", "DELETE / HTTP/1.1\r\n", HTTPRequest{Method: "DELETE", Target: "/", Proto: "HTTP/1.1"}, true},
		{"every other known method: PATCH", "PATCH / HTTP/1.1\r\n", HTTPRequest{Method: "PATCH", Target: "/", Proto: "HTTP/1.1"}, true},
		{"every other known method: TRACE", "TRACE / HTTP/1.1\r\n", HTTPRequest{Method: "TRACE", Target: "/", Proto: "HTTP/1.1"}, true},

		// Cut short.
		{"cut mid-headers before Host", "GET / HTTP/1.1\r\nUser-Agent: curl/8.0\r\nAcc", get("/", ""), true},
		{"cut inside the Host line: a partial value is not kept", "GET / HTTP/1.1\r\nHost: revi", get("/", ""), true},
		{"cut inside the Host line's CRLF", "GET / HTTP/1.1\r\nHost: reviews\r", get("/", ""), true},
		{"cut right after the Host line", "GET / HTTP/1.1\r\nHost: reviews\r\n", get("/", "reviews"), true},
		{"cut right after the request line", "GET / HTTP/1.1\r\n", get("/", ""), true},
		{"request line cut", "GET /reviews/0 HTT", HTTPRequest{}, false},
		{"request line without its LF", "GET / HTTP/1.1", HTTPRequest{}, false},
		{"empty", "", HTTPRequest{}, false},

		// Tolerated.
		{"bare LF line ends", "GET / HTTP/1.1\nHost: reviews\n\n", get("/", "reviews"), true},
		{"empty lines before the request line", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", get("/", "a"), true},
		{"blanks and tabs around the Host value", "GET / HTTP/1.1\r\nHost:\t  reviews \t\r\n\r\n", get("/", "reviews"), true},
		{"empty Host value", "GET / HTTP/1.1\r\nHost:\r\n\r\n", get("/", ""), true},
		{"obsolete line folding before Host", "GET / HTTP/1.1\r\nX-Long: a\r\n  folded\r\nHost: b\r\n\r\n", get("/", "b"), true},
		{"two Host fields: the first wins", "GET / HTTP/1.1\r\nHost: first\r\nHost: second\r\n\r\n", get("/", "first"), true},
		{"a field named like Host is not Host", "GET / HTTP/1.1\r\nX-Host: no\r\nHosts: no\r\n\r\n", get("/", ""), true},
		{"target of 2000 bytes is cut to 1024", "GET /" + long + " HTTP/1.1\r\nHost: a\r\n\r\n",
			get(("/" + long)[:MaxHTTPField], "a"), true},
		{"Host of 2000 bytes is cut to 1024", "GET / HTTP/1.1\r\nHost: " + long + "\r\n\r\n",
			get("/", long[:MaxHTTPField]), true},
		// Fuzz crasher 2f7442add37611b3: the cap cut the value just after a
		// blank, and the blank was returned.
		{"Host cut at 1024 just after a blank keeps no trailing blank",
			"GET / HTTP/1.1\r\nHost: " + strings.Repeat("x", MaxHTTPField-1) + " y\r\n\r\n",
			get("/", strings.Repeat("x", MaxHTTPField-1)), true},
		{"control characters in Host are kept as sent", "GET / HTTP/1.1\r\nHost: evil\x1b[31m\x00\r\n\r\n",
			get("/", "evil\x1b[31m\x00"), true},
		{"non-ASCII bytes in the target are kept", "GET /caf\xc3\xa9 HTTP/1.1\r\n", get("/caf\xc3\xa9", ""), true},

		// Where the head breaks, the search for Host stops.
		{"field line without a colon ends the search", "GET / HTTP/1.1\r\nnonsense\r\nHost: a\r\n\r\n", get("/", ""), true},
		{"blank before the colon ends the search", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", get("/", ""), true},

		// Not an HTTP/1.x request.
		{"unknown method", "BREW /pot HTTP/1.1\r\n", HTTPRequest{}, false},
		{"lower-case method", "get / HTTP/1.1\r\n", HTTPRequest{}, false},
		{"HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTPRequest{}, false},
		{"HTTP/1.2", "GET / HTTP/1.2\r\n", HTTPRequest{}, false},
		{"HTTP/0.9 has no version", "GET /\r\n", HTTPRequest{}, false},
		{"lower-case version", "GET / http/1.1\r\n", HTTPRequest{}, false},
		{"a response", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTPRequest{}, false},
		{"two spaces after the method", "GET  / HTTP/1.1\r\n", HTTPRequest{}, false},
		{"space inside the target", "GET /a b HTTP/1.1\r\n", HTTPRequest{}, false},
		{"trailing space after the version", "GET / HTTP/1.1 \r\n", HTTPRequest{}, false},
		{"control character in the target", "GET /a\x01b HTTP/1.1\r\n", HTTPRequest{}, false},
		{"tab as separator", "GET\t/ HTTP/1.1\r\n", HTTPRequest{}, false},
		{"stray CR inside the request line", "GET / HTTP/1.1\r\r\n", HTTPRequest{}, false},
		{"TLS ClientHello", string(hello(helloBody(sniExt("a")))), HTTPRequest{}, false},
	}
}

func TestParseHTTPRequest(t *testing.T) {
	for _, tc := range httpCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseHTTPRequest([]byte(tc.in))
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.ok, ok, "ok")
		})
	}
}

// TestParseHTTPRequestCopies checks that the strings survive the reuse of the
// capture buffer they were read from.
func TestParseHTTPRequestCopies(t *testing.T) {
	in := []byte("GET /reviews/0 HTTP/1.1\r\nHost: reviews:9080\r\n\r\n")
	req, ok := ParseHTTPRequest(in)
	require.True(t, ok)
	clear(in)
	assert.Equal(t, HTTPRequest{Method: "GET", Target: "/reviews/0", Proto: "HTTP/1.1", Host: "reviews:9080"}, req)
}

func TestParseHTTPRequestAllocs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
	}{
		{"not a request", "HTTP/1.1 200 OK\r\n\r\n", 0},
		{"Target only: Method and Proto are constants", "GET /productpage HTTP/1.1\r\n\r\n", 1},
		{"Target and Host", "GET /productpage HTTP/1.1\r\nUser-Agent: x\r\nHost: productpage:9080\r\n\r\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			assert.Equal(t, tc.want, testing.AllocsPerRun(100, func() { ParseHTTPRequest(in) }))
		})
	}
}

func BenchmarkParseHTTPRequest(b *testing.B) {
	in := []byte("GET /reviews/0 HTTP/1.1\r\nUser-Agent: python-requests/2.31\r\nAccept-Encoding: gzip, deflate\r\n" +
		"Accept: */*\r\nConnection: keep-alive\r\nx-request-id: 6b1f5c1e-3c5a-9c5e-a0c4-2d4c1b3a0f9e\r\nHost: reviews:9080\r\n\r\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		ParseHTTPRequest(in)
	}
}
