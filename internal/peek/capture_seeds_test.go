package peek

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// Captures whose TCP payloads seed the fuzz targets. The fixtures are part
// of the repository; the corpus (../shared/corpus/tcpdump from the
// repository's root) is used when present.
const (
	fixturesDir = "../../fixtures/bookinfo"
	corpusDir   = "../../../shared/corpus/tcpdump"
)

// payloadSeedFiles name the captures and say what their payloads hold.
var payloadSeedFiles = []string{
	filepath.Join(fixturesDir, "before/veth.pcap"),         // Istio's mTLS ClientHello, with its SNI and ALPN
	filepath.Join(fixturesDir, "after/any.pcap"),           // plaintext HTTP to a ClusterIP, seen on two interfaces
	filepath.Join(corpusDir, "print-flags.pcap"),           // GET / HTTP/1.1 from a real client, and its response
	filepath.Join(corpusDir, "ipv4_tcp_http_xml_tso.pcap"), // a POST with an absolute URI in one TSO frame
	filepath.Join(corpusDir, "accecn_handshake.pcap"),      // GET /1M after an AccECN handshake
	filepath.Join(corpusDir, "eapon1.pcap"),                // M-SEARCH * HTTP/1.1 over UDP, and other noise
}

// capturePayloads returns the first non-empty TCP and UDP payloads of the
// payloadSeedFiles that exist, up to max per file, copied.
func capturePayloads(tb testing.TB, max int) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, path := range payloadSeedFiles {
		src, err := capture.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		n := 0
		var p capture.Packet
		for n < max && src.Next(&p) == nil {
			if len(p.Payload) > 0 {
				out = append(out, bytes.Clone(p.Payload))
				n++
			}
		}
		if err := src.Close(); err != nil && !errors.Is(err, io.EOF) {
			tb.Fatal(err)
		}
	}
	return out
}
