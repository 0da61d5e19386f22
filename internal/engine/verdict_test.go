package engine

import (
	"testing"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/report"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

const ms = time.Millisecond

// istioHello is a ClientHello as Istio's sidecar sends it for mTLS: SNI
// outbound_.9080_._.reviews.bookinfo.svc.cluster.local, ALPN
// istio-peer-exchange and istio.
func istioHello() []byte {
	sni := []byte("outbound_.9080_._.reviews.bookinfo.svc.cluster.local")
	var list []byte
	for _, proto := range []string{"istio-peer-exchange", "istio"} {
		list = append(append(list, byte(len(proto))), proto...)
	}
	alpn := append([]byte{0, byte(len(list))}, list...)
	ext := []byte{0, 0, 0, byte(len(sni) + 5), 0, byte(len(sni) + 3), 0, 0, byte(len(sni))}
	ext = append(ext, sni...)
	ext = append(ext, 0, 16, 0, byte(len(alpn)))
	ext = append(ext, alpn...)
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)       // random
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0) // no session id, one suite, null compression
	body = append(body, byte(len(ext)>>8), byte(len(ext)))
	body = append(body, ext...)
	hs := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

func TestVerdicts(t *testing.T) {
	get := []byte("GET /reviews/1 HTTP/1.1\r\nHost: 10.96.209.151:9080\r\n\r\n")
	tests := []struct {
		name       string
		inv        string // "before" (Shell 3's istioctl), "after" (Shell 5's), "none"
		packets    []pk
		verdict    report.Verdict
		client     string
		server     string
		service    string
		clientFrom string
		handshake  string
		evidence   string // a substring of one evidence entry
		ambiguous  bool
	}{
		{
			name: "seed shell 4: mid-connection to a reviews pod the sidecar picked", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "P.", len: 778},
				{at: 14 * ms, flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "."},
			},
			verdict: report.SidecarDNAT, client: "10.244.2.34:44644", server: "10.244.2.32:9080", service: "bookinfo/reviews",
			clientFrom: "inventory", handshake: "none", evidence: "per istioctl proxy-config endpoint",
		},
		{
			name: "reply first: the inventory, not the first packet, names the client", inv: "before",
			packets: []pk{
				{flow: "10.244.2.32:9080 > 10.244.2.34:44644", flags: "P.", len: 1200},
				{at: ms, flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "."},
			},
			verdict: report.SidecarDNAT, client: "10.244.2.34:44644", server: "10.244.2.32:9080", service: "bookinfo/reviews", clientFrom: "inventory",
		},
		{
			name: "seed shell 6: SYN to the reviews ClusterIP the sidecar no longer knows", inv: "after",
			packets: []pk{
				{flow: "10.244.2.34:42122 > 10.96.209.151:9080", flags: "S"},
				{at: ms, flow: "10.96.209.151:9080 > 10.244.2.34:42122", flags: "S."},
				{at: 2 * ms, flow: "10.244.2.34:42122 > 10.96.209.151:9080", flags: "P.", payload: get},
			},
			verdict: report.Passthrough, client: "10.244.2.34:42122", server: "10.96.209.151:9080", service: "bookinfo/reviews",
			clientFrom: "syn", handshake: "complete", evidence: "is the ClusterIP of service bookinfo/reviews",
		},
		{
			name: "the sidecar knows the service yet the client went to the ClusterIP", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:42122 > 10.96.209.151:9080", flags: "S"},
			},
			verdict: report.Passthrough, client: "10.244.2.34:42122", server: "10.96.209.151:9080", service: "bookinfo/reviews",
			clientFrom: "syn", handshake: "syn", evidence: "knows outbound|9080||reviews.bookinfo.svc.cluster.local", ambiguous: true,
		},
		{
			name: "plaintext HTTP to a pod IP may be a translated leg", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:42122 > 10.244.2.32:9080", flags: "S"},
				{at: ms, flow: "10.244.2.34:42122 > 10.244.2.32:9080", flags: "P.", payload: get},
			},
			verdict: report.SidecarDNAT, client: "10.244.2.34:42122", server: "10.244.2.32:9080", service: "bookinfo/reviews",
			clientFrom: "syn", evidence: "plaintext HTTP to a pod IP", ambiguous: true,
		},
		{
			name: "DNS over UDP to kube-dns bypasses the sidecar", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:41234 > 10.96.0.10:53", flags: "udp", len: 52},
				{at: ms, flow: "10.96.0.10:53 > 10.244.2.34:41234", flags: "udp", len: 120},
			},
			verdict: report.Passthrough, client: "10.244.2.34:41234", server: "10.96.0.10:53", service: "kube-system/kube-dns",
			clientFrom: "inventory", evidence: "does not intercept UDP",
		},
		{
			name: "a pod port that backs no service", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:50000 > 10.244.2.32:8081", flags: "S"},
			},
			verdict: report.PodDirect, client: "10.244.2.34:50000", server: "10.244.2.32:8081", clientFrom: "syn",
			evidence: "backs no service on port 8081/TCP",
		},
		{
			// Istio's merged metrics port, scraped from another pod: Istio's
			// own traffic, not the application's.
			name: "a metrics scrape", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:50000 > 10.244.2.32:15020", flags: "S"},
			},
			verdict: report.Istio, client: "10.244.2.34:50000", server: "10.244.2.32:15020", clientFrom: "syn",
			evidence: "port 15020 serves Istio's metrics",
		},
		{
			name: "a client pod without a sidecar calls a service endpoint", inv: "before",
			packets: []pk{
				{flow: "10.244.2.50:50000 > 10.244.2.32:9080", flags: "S"},
			},
			verdict: report.PodDirect, client: "10.244.2.50:50000", server: "10.244.2.32:9080", service: "bookinfo/reviews", clientFrom: "syn",
			evidence: "has no istio-proxy container",
		},
		{
			name: "the kubelet on the node probes a pod", inv: "before",
			packets: []pk{
				{flow: "172.18.0.2:41000 > 10.244.2.32:9080", flags: "S"},
			},
			verdict: report.PodDirect, client: "172.18.0.2:41000", server: "10.244.2.32:9080", service: "bookinfo/reviews", clientFrom: "syn",
			evidence: "is node kind-worker",
		},
		{
			name: "a pod calls a node address", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:40000 > 172.18.0.3:6443", flags: "S"},
			},
			verdict: report.Node, client: "10.244.2.34:40000", server: "172.18.0.3:6443", clientFrom: "syn", evidence: "is node kind-control-plane",
		},
		{
			name: "an address outside the cluster", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:40000 > 93.184.216.34:443", flags: "S"},
			},
			verdict: report.External, client: "10.244.2.34:40000", server: "93.184.216.34:443", clientFrom: "syn", evidence: "is not in the inventory",
		},
		{
			name: "an unlisted address in the pod range is flagged", inv: "before",
			packets: []pk{
				{flow: "10.244.2.34:40000 > 10.244.3.9:8080", flags: "S"},
			},
			verdict: report.External, client: "10.244.2.34:40000", server: "10.244.3.9:8080", clientFrom: "syn",
			evidence: "where the inventory's pods are", ambiguous: true,
		},
		{
			name: "no inventory: unknown, and says what is missing",
			inv:  "none",
			packets: []pk{
				{flow: "10.244.2.34:44644 > 10.244.2.32:9080", flags: "P.", len: 778},
			},
			verdict: report.Unknown, client: "10.244.2.34:44644", server: "10.244.2.32:9080", clientFrom: "ports", evidence: "no inventory",
		},
		{
			name: "no inventory, but Istio's SNI names the service",
			inv:  "none",
			packets: []pk{
				{flow: "10.244.2.34:39690 > 10.244.2.31:9080", flags: "S"},
				{at: ms, flow: "10.244.2.31:9080 > 10.244.2.34:39690", flags: "S."},
				{at: 2 * ms, flow: "10.244.2.34:39690 > 10.244.2.31:9080", flags: "P.", payload: istioHello()},
			},
			verdict: report.SidecarDNAT, client: "10.244.2.34:39690", server: "10.244.2.31:9080", service: "bookinfo/reviews",
			clientFrom: "syn", handshake: "complete", evidence: "Istio's mTLS SNI",
		},
		{
			name: "no SYN, no inventory, equal port ranks: the first sender is the client",
			inv:  "none",
			packets: []pk{
				{flow: "10.0.0.1:40000 > 10.0.0.2:50000", flags: ".", len: 10},
				{at: ms, flow: "10.0.0.2:50000 > 10.0.0.1:40000", flags: "."},
			},
			verdict: report.Unknown, client: "10.0.0.1:40000", server: "10.0.0.2:50000", clientFrom: "first-packet",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inv *inventory.Inventory
			switch tt.inv {
			case "before":
				inv = seedInventory(t, "../../fixtures/bookinfo/before/shell3-istioctl.txt")
			case "after":
				inv = seedInventory(t, "../../fixtures/bookinfo/after/shell5-istioctl.txt")
			}
			r := analyzeAll(t, inv, newSource(t, "test.pcap", tt.packets...))
			require.Len(t, r.Flows, 1)
			f := r.Flows[0]
			assert.Equal(t, tt.verdict, f.Verdict)
			assert.Equal(t, tt.client, f.Client.String())
			assert.Equal(t, tt.server, f.Server.String())
			assert.Equal(t, tt.service, f.Service.String())
			assert.Equal(t, tt.clientFrom, f.ClientFrom.String())
			if tt.handshake != "" {
				assert.Equal(t, tt.handshake, f.Handshake.String())
			}
			if tt.evidence != "" {
				assert.True(t, containsSub(sentences(f), tt.evidence), "evidence %q lacks %q", f.Evidence, tt.evidence)
			}
			assert.Equal(t, tt.ambiguous, f.Ambiguous(), "ambiguous; evidence %q", f.Evidence)
			assert.Equal(t, int64(len(tt.packets)), f.Packets)
		})
	}
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if len(sub) <= len(s) && (s == sub || indexOf(s, sub) >= 0) {
			return true
		}
	}
	return false
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
