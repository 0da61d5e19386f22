package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Untrusted strings an attacker puts in packets and inventories: an OSC
// that retitles the terminal, a screen clear, a CSI in its 8-bit C1 form,
// a bell, and bytes that are not UTF-8.
const (
	osc     = "\x1b]0;pwned\x07"
	clear   = "\x1b[2J"
	c1CSI   = "\u009b31m"
	badUTF8 = "\xff\xfe\xc3\x28"
)

// The hostile strings of the crafted capture and inventory.
var (
	hostileSNI     = "outbound_.443_._." + osc + "evil" + clear + badUTF8 + ".svc.cluster.local"
	hostileALPN    = "h2" + clear
	hostileHost    = osc + "host" + clear + badUTF8
	hostileTarget  = "/" + badUTF8 + "path"
	hostilePodName = "evil" + osc + clear + "-pod"
	hostileNS      = "ns" + c1CSI
	hostileSvc     = "svc" + clear
)

// TestUntrustedStringsEndToEnd runs the CLI on a capture whose TLS SNI and
// ALPN, HTTP Host and request line carry escape sequences and invalid
// UTF-8, with an inventory whose pod, namespace and service names carry
// them too, in every output format: the table and Markdown spell them out
// and write no escape sequence of their own making; JSON and YAML hold them
// as data that decodes back.
func TestUntrustedStringsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	capPath := filepath.Join(dir, "hostile.pcap")
	require.NoError(t, os.WriteFile(capPath, hostileCapture(t), 0o644))
	invPath := filepath.Join(dir, "inventory.json")
	require.NoError(t, os.WriteFile(invPath, []byte(hostileInventory), 0o644))

	for _, format := range []string{"table", "markdown", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, "", "analyze", "hostile.pcap", "--inventory", "inventory.json", "-o", format, "--flows")
			require.Equal(t, 0, code, "stderr: %s", stderr)
			assert.Empty(t, stderr)
			// No format writes a control character other than line ends
			// and tabs, nor bytes that are not UTF-8.
			assert.True(t, utf8.ValidString(stdout), "output is not UTF-8")
			for _, r := range stdout {
				if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
					t.Fatalf("output holds control character %U:\n%s", r, stdout)
				}
			}
			switch format {
			case "table":
				for _, want := range []string{`sni: outbound_.443_._.\x1b]0;pwned\x07evil\x1b[2J`, `alpn: h2\x1b[2J`,
					`ns\x9b31m/evil\x1b]0;pwned\x07\x1b[2J-pod`, `ns\x9b31m/svc\x1b[2J`, "http: GET /", `host: \x1b]0;pwned\x07host\x1b[2J`} {
					assert.Contains(t, stdout, want)
				}
			case "markdown":
				// Markdown escapes the backslashes and brackets of the
				// spelled-out form once more.
				for _, want := range []string{`ns\\x9b31m/evil\\x1b\]0;pwned\\x07\\x1b\[2J-pod`, `ns\\x9b31m/svc\\x1b\[2J`,
					`SNI "outbound\_.443\_.\_.\\x1b\]0;pwned\\aevil\\x1b\[2J\\xff\\xfe\\xc3\(.svc.cluster.local"`} {
					assert.Contains(t, stdout, want)
				}
			case "json":
				var rep schemaReport
				require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
				checkHostileReport(t, &rep)
			case "yaml":
				var rep schemaReport
				require.NoError(t, yaml.Unmarshal([]byte(stdout), &rep))
				checkHostileReport(t, &rep)
			}
		})
	}
}

// checkHostileReport checks that a decoded JSON or YAML report holds the
// hostile strings as they were sent: escape sequences intact, bytes that
// are not UTF-8 replaced by U+FFFD.
func checkHostileReport(t *testing.T, rep *schemaReport) {
	t.Helper()
	valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
	var sawTLS, sawHTTP bool
	for _, f := range rep.Flows {
		switch {
		case f.SNI != "":
			sawTLS = true
			assert.Equal(t, strings.Map(keep, valid(hostileSNI)), strings.Map(keep, f.SNI))
			assert.Contains(t, f.SNI, osc+"evil"+clear)
			assert.Equal(t, []string{hostileALPN}, f.ALPN)
			assert.Equal(t, valid(hostileNS+"/"+hostilePodName), f.ClientPod)
			assert.Equal(t, hostileNS+"/"+hostileSvc, f.Service)
		case f.HTTPHost != "":
			sawHTTP = true
			assert.Contains(t, f.HTTPHost, osc+"host"+clear)
			assert.Contains(t, f.HTTPRequest, "GET /")
		}
	}
	assert.True(t, sawTLS, "no flow with the SNI")
	assert.True(t, sawHTTP, "no flow with the HTTP request")
}

// keep drops U+FFFD, so that strings compare whether invalid UTF-8 became
// one replacement character or several.
func keep(r rune) rune {
	if r == utf8.RuneError {
		return -1
	}
	return r
}

// hostileInventory names the client pod, its namespace and the Service it
// reaches with escape sequences, as JSON allows (\u001b).
const hostileInventory = `{"kind": "List", "items": [
  {"kind": "Pod", "metadata": {"name": "evil\u001b]0;pwned\u0007\u001b[2J-pod", "namespace": "ns\u009b31m"},
   "spec": {"containers": [{"name": "app"}, {"name": "istio-proxy"}]},
   "status": {"podIP": "10.244.2.34"}},
  {"kind": "Service", "metadata": {"name": "svc\u001b[2J", "namespace": "ns\u009b31m"},
   "spec": {"clusterIP": "10.96.209.151", "ports": [{"port": 443, "targetPort": 8443}]}}
]}`

// hostileCapture writes a pcap of two connections from 10.244.2.34: TLS to
// 10.96.209.151:443 whose ClientHello carries hostileSNI and hostileALPN,
// and plaintext HTTP to 10.244.2.32:9080 whose request line and Host carry
// hostileTarget and hostileHost.
func hostileCapture(t *testing.T) []byte {
	client, tlsServer, httpServer := net.IP{10, 244, 2, 34}, net.IP{10, 96, 209, 151}, net.IP{10, 244, 2, 32}
	var frames [][]byte
	conn := func(sport, dport uint16, dst net.IP, payload []byte) {
		seq, ack := uint32(1000), uint32(5000)
		seg := func(fromClient bool, tcp layers.TCP, data []byte) {
			src, to := client, dst
			tcp.SrcPort, tcp.DstPort = layers.TCPPort(sport), layers.TCPPort(dport)
			if !fromClient {
				src, to = dst, client
				tcp.SrcPort, tcp.DstPort = layers.TCPPort(dport), layers.TCPPort(sport)
			}
			tcp.Window = 64240
			ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src, DstIP: to}
			require.NoError(t, tcp.SetNetworkLayerForChecksum(ip))
			buf := gopacket.NewSerializeBuffer()
			require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
				&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 0x34}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, EthernetType: layers.EthernetTypeIPv4},
				ip, &tcp, gopacket.Payload(data)))
			frames = append(frames, bytes.Clone(buf.Bytes()))
		}
		seg(true, layers.TCP{SYN: true, Seq: seq}, nil)
		seg(false, layers.TCP{SYN: true, ACK: true, Seq: ack, Ack: seq + 1}, nil)
		seg(true, layers.TCP{ACK: true, Seq: seq + 1, Ack: ack + 1}, nil)
		seg(true, layers.TCP{PSH: true, ACK: true, Seq: seq + 1, Ack: ack + 1}, payload)
		seg(false, layers.TCP{ACK: true, Seq: ack + 1, Ack: seq + 1 + uint32(len(payload))}, nil)
	}
	conn(40000, 443, tlsServer, clientHello(hostileSNI, hostileALPN))
	conn(40001, 9080, httpServer, []byte("GET "+hostileTarget+" HTTP/1.1\r\nHost: "+hostileHost+"\r\nUser-Agent: curl\r\n\r\n"))
	return pcapFile(frames)
}

// pcapFile writes frames as a little-endian microsecond pcap of
// LINKTYPE_ETHERNET, a millisecond apart.
func pcapFile(frames [][]byte) []byte {
	le := binary.LittleEndian
	out := le.AppendUint32(nil, 0xA1B2C3D4)
	out = le.AppendUint16(le.AppendUint16(out, 2), 4)
	out = append(out, make([]byte, 8)...)
	out = le.AppendUint32(le.AppendUint32(out, 262144), 1)
	for i, fr := range frames {
		out = le.AppendUint32(le.AppendUint32(out, 1741965606), uint32(i*1000))
		out = le.AppendUint32(le.AppendUint32(out, uint32(len(fr))), uint32(len(fr)))
		out = append(out, fr...)
	}
	return out
}

// clientHello builds a TLS 1.2 record holding a ClientHello with one cipher
// suite, the server_name extension and the ALPN extension.
func clientHello(sni, alpn string) []byte {
	be := binary.BigEndian
	u16 := func(b []byte, v int) []byte { return be.AppendUint16(b, uint16(v)) }
	name := u16(append(u16(nil, len(sni)+3), 0), len(sni))
	name = append(name, sni...)
	protos := u16(nil, len(alpn)+1)
	protos = append(append(protos, byte(len(alpn))), alpn...)
	var ext []byte
	ext = append(u16(u16(ext, 0), len(name)), name...)
	ext = append(u16(u16(ext, 16), len(protos)), protos...)
	body := []byte{0x03, 0x03}
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // session id
	body = append(u16(body, 2), 0x13, 0x01)  // TLS_AES_128_GCM_SHA256
	body = append(body, 1, 0)                // null compression
	body = append(u16(body, len(ext)), ext...)
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	return append(u16([]byte{0x16, 0x03, 0x01}, len(hs)), hs...)
}

// TestNotACapture: an input that is not a capture ends with exit 2 and one
// line naming the file and saying what the file looks like instead; the
// line itself never carries the file's control characters.
func TestNotACapture(t *testing.T) {
	dir := t.TempDir()
	pcap, err := os.ReadFile(filepath.Join(bookinfo, "after/veth.pcap"))
	require.NoError(t, err)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(b)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	// Stored, not compressed: a cut after the 10-byte gzip header and the
	// 5-byte block header leaves exactly the bytes before it.
	stored := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
		require.NoError(t, err)
		_, err = zw.Write(b)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	tests := []struct {
		name, file string
		in         []byte
		says       string
	}{
		{"empty file", "empty.pcap", nil, "it is empty"},
		{"kubectl JSON", "pods.pcap", []byte(`{"apiVersion": "v1", "kind": "List", "items": []}`), "this looks like JSON"},
		{"kubectl table", "pods.txt", []byte("NAME                READY   STATUS    RESTARTS   AGE   IP            NODE\nweb-1               1/1     Running   0          1d    10.244.1.5    n1\n"),
			"this looks like a kubectl table"},
		{"kubectl YAML", "pods.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"), "this looks like YAML"},
		{"istioctl table", "ep.txt", []byte("ENDPOINT          STATUS      OUTLIER CHECK     CLUSTER\n10.244.0.3:53     HEALTHY     OK                outbound|53||kube-dns.kube-system.svc.cluster.local\n"),
			"this looks like an istioctl table"},
		{"an HTML page", "capture.pcap", []byte("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n"), "this looks like HTML"},
		{"binary data", "core", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"), "this looks like binary data"},
		{"prose with an escape sequence", "notes.txt", []byte("see " + clear + osc + " the ticket\n"), `this looks like text that is not tcpdump output (first line: "see \x1b[2J\x1b]0;pwned\a the ticket")`},
		{"gzip of JSON", "pods.json.gz", gz([]byte(`[{"kind": "Pod"}]`)), "this looks like gzip data holding JSON"},
		{"gzip of nothing", "nothing.gz", gz(nil), "the gzip data holds nothing"},
		{"gzip cut in its header", "cut.pcap.gz", gz(pcap)[:6], "this looks like gzip data that ends early, inside its header"},
		{"gzip cut before the first byte it holds", "cut2.pcap.gz", gz(pcap)[:15], "this looks like gzip data that ends early, before the first byte it holds"},
		{"gzip of a pcap cut in the pcap header", "cut3.pcap.gz", stored(pcap)[:10+5+12], "pcap file header: ends in the middle of a record (the gzip data ends early)"},
		{"pcap cut in its file header", "cut.pcap", pcap[:20], "pcap file header: ends in the middle of a record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, tt.file), tt.in, 0o644))
			code, stdout, stderr := runIn(t, dir, "", "analyze", tt.file, "-o", "json")
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.True(t, strings.HasPrefix(stderr, "pcapcheck: "+tt.file+": "), stderr)
			assert.Contains(t, stderr, tt.says)
			assert.NotContains(t, stderr, "\x1b")
		})
	}
}

// TestCutShortReports: a capture cut inside a record, in each format, still
// gives a report (exit 0) of the flows read before the cut, marked
// incomplete, with a warning that names the byte offset.
func TestCutShortReports(t *testing.T) {
	dir := t.TempDir()
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return b
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(b)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	pcap := read(filepath.Join(bookinfo, "before/veth.pcap"))
	pcapng := read(filepath.Join(bookinfo, "before/veth.pcapng"))
	text := read(filepath.Join(bookinfo, "before/shell4-tcpdump.txt"))
	tests := []struct {
		name, file string
		in         []byte
		warning    string // "" when the cut leaves a complete file (text)
	}{
		{"pcap cut at a third", "third.pcap", pcap[:len(pcap)/3], "ends in the middle of a record"},
		{"pcap cut at two thirds", "two-thirds.pcap", pcap[:len(pcap)*2/3], "ends in the middle of a record"},
		{"pcap cut one byte short", "short.pcap", pcap[:len(pcap)-1], "ends in the middle of a record"},
		{"pcapng cut at a half", "half.pcapng", pcapng[:len(pcapng)/2], "ends in the middle of a record"},
		{"pcapng cut one byte short", "short.pcapng", pcapng[:len(pcapng)-1], "ends in the middle of a record"},
		{"gzip pcap cut at a half", "half.pcap.gz", gz(pcap)[:len(gz(pcap))/2], "(the gzip data ends early)"},
		{"gzip pcapng cut before its trailer", "trailer.pcapng.gz", gz(pcapng)[:len(gz(pcapng))-4], "(the gzip data ends early)"},
		{"gzip text cut at a half", "half.txt.gz", gz(text)[:len(gz(text))/2], "(the gzip data ends early)"},
		{"text cut inside a line", "half.txt", text[:len(text)/2], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, tt.file), tt.in, 0o644))
			code, stdout, stderr := runIn(t, dir, "", "analyze", tt.file, "-o", "json")
			require.Equal(t, 0, code, "stderr: %s", stderr)
			assert.Empty(t, withoutHints(stderr))
			var rep schemaReport
			require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
			require.Len(t, rep.Captures, 1)
			assert.NotEmpty(t, rep.Flows, "the flows read before the cut")
			if tt.warning == "" {
				assert.True(t, rep.Captures[0].Complete)
				return
			}
			assert.False(t, rep.Captures[0].Complete)
			warnings := strings.Join(rep.Warnings, "\n")
			assert.Contains(t, warnings, tt.warning)
			assert.Regexp(t, `capture: `+tt.file+`: record \d+ at byte \d+: `, warnings)
		})
	}
}

// TestInventoryGoneWrong: an inventory line that cannot be read ends with
// exit 2 and one line naming the file, line, column and what was expected
// (quoting the bad value, control characters spelled out); two objects
// claiming one IP give a report whose warning names both.
func TestInventoryGoneWrong(t *testing.T) {
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join(bookinfo, "after/veth.pcap"))
	require.NoError(t, err)
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("pods.txt", "NAME    READY   STATUS    RESTARTS   AGE   IP            NODE\n"+
		"web-1   1/1     Running   0          1d    10.244.1.5    n1\n"+
		"web-2   1/1     Running   0          1d    10.244."+clear+"    n1\n")
	write("svc.json", `{"kind": "Service", "metadata": {"name": "a"}, "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 0}]}}`)
	write("twins.txt", "NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   IP            NODE\n"+
		"a           twin    1/1     Running   0          1d    10.244.2.34   n1\n"+
		"b           twin    1/1     Running   0          1d    10.244.2.34   n1\n")

	for _, tt := range []struct {
		name, file, says string
	}{
		{"kubectl table with a bad IP", "pods.txt", `pods.txt:3:44: expected an IP address or <none> under IP, found "10.244.\x1b[2J"`},
		{"JSON with a port 0", "svc.json", `svc.json:1:`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, "", "analyze", abs, "--inventory", tt.file)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Contains(t, stderr, tt.says)
			assert.NotContains(t, stderr, "\x1b")
		})
	}
	t.Run("one IP claimed twice", func(t *testing.T) {
		code, stdout, stderr := runIn(t, dir, "", "analyze", abs, "--inventory", "twins.txt", "-o", "json")
		require.Equal(t, 0, code, stderr)
		var rep schemaReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		assert.Contains(t, strings.Join(rep.Warnings, "\n"), "10.244.2.34 is claimed by pod a/twin (twins.txt:2) and pod b/twin (twins.txt:3)")
	})
}
