package peek

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goClientHello returns the first TLS record Go's crypto/tls client writes
// with cfg: its ClientHello. The handshake is abandoned after that record.
func goClientHello(tb testing.TB, cfg *tls.Config) []byte {
	tb.Helper()
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = tls.Client(client, cfg).Handshake() // fails once server closes: expected
		client.Close()
	}()
	header := make([]byte, 5)
	_, err := io.ReadFull(server, header)
	require.NoError(tb, err)
	record := make([]byte, 5+(int(header[3])<<8|int(header[4])))
	copy(record, header)
	_, err = io.ReadFull(server, record[5:])
	require.NoError(tb, err)
	server.Close()
	<-done
	return record
}

// hexHello is a ClientHello kept under testdata/ as hex, with what it should
// parse to written in its "# want SNI:" and "# want ALPN:" comment lines.
type hexHello struct {
	name  string
	bytes []byte
	want  ClientHello
}

// loadHexHellos reads every testdata/*.hex file.
func loadHexHellos(tb testing.TB) []hexHello {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.hex"))
	require.NoError(tb, err)
	require.NotEmpty(tb, paths)
	var hellos []hexHello
	for _, path := range paths {
		f, err := os.Open(path)
		require.NoError(tb, err)
		h := hexHello{name: strings.TrimSuffix(filepath.Base(path), ".hex")}
		var digits strings.Builder
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if v, ok := strings.CutPrefix(line, "# want SNI:"); ok && strings.TrimSpace(v) != "(none)" {
				h.want.SNI = strings.TrimSpace(v)
			} else if v, ok := strings.CutPrefix(line, "# want ALPN:"); ok && strings.TrimSpace(v) != "(none)" {
				h.want.ALPN = strings.Fields(v)
			} else if !strings.HasPrefix(line, "#") {
				digits.WriteString(line)
			}
		}
		require.NoError(tb, sc.Err())
		f.Close()
		h.bytes, err = hex.DecodeString(digits.String())
		require.NoError(tb, err, path)
		h.want.Version = uint16(h.bytes[9])<<8 | uint16(h.bytes[10])
		hellos = append(hellos, h)
	}
	return hellos
}

// The helpers below build TLS messages by hand, for the shapes no real
// client sends.

func u16(n int) []byte { return []byte{byte(n >> 8), byte(n)} }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func vec8(parts ...[]byte) []byte {
	b := cat(parts...)
	return cat([]byte{byte(len(b))}, b)
}

func vec16(parts ...[]byte) []byte {
	b := cat(parts...)
	return cat(u16(len(b)), b)
}

// ext encodes one extension: type and length-prefixed data.
func ext(typ int, data ...[]byte) []byte { return cat(u16(typ), vec16(data...)) }

// sniExt is a server_name extension holding one host_name per name.
func sniExt(names ...string) []byte {
	var list [][]byte
	for _, n := range names {
		list = append(list, []byte{nameTypeHostName}, vec16([]byte(n)))
	}
	return ext(extServerName, vec16(list...))
}

// alpnExt is an ALPN extension offering protos.
func alpnExt(protos ...string) []byte {
	var list [][]byte
	for _, p := range protos {
		list = append(list, vec8([]byte(p)))
	}
	return ext(extALPN, vec16(list...))
}

// supportedVersions13 is the supported_versions extension of a TLS 1.3 client.
var supportedVersions13 = ext(43, vec8(u16(0x0304), u16(0x0303)))

// helloBody is a ClientHello body with legacy_version 0x0303, a 32-byte
// session ID, two cipher suites, null compression and exts as its extensions.
func helloBody(exts ...[]byte) []byte {
	return cat(helloPrefix(0x0303), vec16(exts...))
}

// helloPrefix is a ClientHello body up to, not including, the extensions.
func helloPrefix(version int) []byte {
	return cat(u16(version), bytes.Repeat([]byte{0xaa}, 32),
		vec8(bytes.Repeat([]byte{0xbb}, 32)), vec16(u16(0x1301), u16(0xc02f)), vec8([]byte{0}))
}

// handshake wraps body in a handshake header of type typ.
func handshake(typ byte, body []byte) []byte {
	n := len(body)
	return cat([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body)
}

// record wraps fragment in a TLS record header.
func record(typ byte, version int, fragment []byte) []byte {
	return cat([]byte{typ}, u16(version), u16(len(fragment)), fragment)
}

// hello is a whole ClientHello record with the given body.
func hello(body []byte) []byte {
	return record(recordHandshake, 0x0301, handshake(handshakeClientHello, body))
}
