package engine

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// TestInspectionStops: the payload of a long pooled connection is looked at
// a few times, not once a packet. The flow is done as soon as its payload
// named something, or after maxL7Tries segments of each side that named
// nothing; the oracle is the count of segments handed to package peek.
func TestInspectionStops(t *testing.T) {
	data := bytes.Repeat([]byte{0x17, 3, 3, 0, 200}, 41) // TLS application data, mid-stream
	tests := []struct {
		name      string
		first     []byte // the client's first payload
		oneSided  bool   // only the client sends payload
		wantLooks int
		wantSNI   string
		wantHost  string
	}{
		{name: "ClientHello", first: istioHello(), wantLooks: 1, wantSNI: "outbound_.9080_._.reviews.bookinfo.svc.cluster.local"},
		{name: "HTTP request", first: []byte("GET /reviews/1 HTTP/1.1\r\nHost: reviews:9080\r\n\r\n"), wantLooks: 1, wantHost: "reviews:9080"},
		{name: "mid-stream TLS", first: data, wantLooks: 2 * maxL7Tries},
		{name: "mid-stream TLS, one side", first: data, oneSided: true, wantLooks: maxL7Tries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(Options{})
			a.sources = append(a.sources, sourceRun{info: &capture.Info{Format: capture.FormatPcap}})
			a.single = true
			const n = 10_000
			for i := range n {
				p := pk{flow: "10.244.2.10:40000 > 10.96.1.5:443", flags: "P.", seq: uint32(1000 + i*len(data)), payload: data}
				if i == 0 {
					p.payload = tc.first
				}
				if i%2 == 1 {
					p.flow, p.seq = "10.96.1.5:443 > 10.244.2.10:40000", uint32(i)
					if tc.oneSided {
						p.payload = nil
					}
				}
				pkt := p.packet(t)
				a.Add(&pkt, 0)
			}
			assert.Equal(t, tc.wantLooks, a.inspected, "segments inspected over %d packets", n)
			f := a.table.at(0)
			if !tc.oneSided {
				assert.True(t, f.l7Done, "the flow is done with inspection")
			}
			r := a.Result().Collect()
			require.Len(t, r.Flows, 1)
			assert.Equal(t, tc.wantSNI, r.Flows[0].SNI)
			assert.Equal(t, tc.wantHost, r.Flows[0].HTTPHost)
			assert.Equal(t, int64(n), r.Flows[0].Packets)
		})
	}
}
