//go:build cgo

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// TestVerdictFilterKeepsVerdicts applies the agent's BPF filter offline
// (libpcap's own compiler, through gopacket's pcap.NewBPF) to the lab's
// committed node and pod captures and checks that every flow keeps its
// verdict, expected path, client, server, NAT target and what its
// payloads named, while the filter drops packets. The oracle is the
// unfiltered capture's report; fixtures/lab's ground truth holds that
// one to what the lab did.
func TestVerdictFilterKeepsVerdicts(t *testing.T) {
	run := filepath.Join("..", "..", "fixtures", "lab", "testdata", "run")
	for _, scenario := range []string{"before", "after", "kept-alive", "pooled", "registry-only"} {
		for _, name := range []string{"any.pcap", "pod-any.pcap", "veth.pcap"} {
			t.Run(scenario+"/"+name, func(t *testing.T) {
				path := filepath.Join(run, scenario, name)
				filtered, kept, total := filterPcap(t, path, capture.VerdictFilter)
				inv := []string{filepath.Join(run, "inventory"), filepath.Join(run, scenario, "istioctl.txt")}
				mesh := &meshFlags{}
				for _, f := range []string{"sidecar.yaml", "mesh.yaml"} {
					if _, err := os.Stat(filepath.Join(run, scenario, f)); err == nil {
						if f == "sidecar.yaml" {
							mesh.sidecars = append(mesh.sidecars, filepath.Join(run, scenario, f))
						} else {
							mesh.meshConfig = append(mesh.meshConfig, filepath.Join(run, scenario, f))
						}
					}
				}
				want := flowsOf(t, mesh, inv, path)
				got := flowsOf(t, mesh, inv, filtered)
				assert.Less(t, kept, total, "the filter drops packets")
				t.Logf("%s: %d of %d packets kept, %d flows", path, kept, total, len(want))
				require.Equal(t, len(want), len(got), "flows")
				for i := range want {
					assert.Equal(t, want[i], got[i], "flow %d (-want +got)", i)
				}
			})
		}
	}
}

// verdictOf is what the filter must not change about a flow.
type verdictOf struct {
	Proto                         string
	Client, Server, NATTo         string
	ClientPod, ServerPod, Service string
	Verdict, Expected, Role       string
	Intercepted                   report.Interception
	SNI, HTTPHost, HTTPRequest    string
	ALPN                          []string
}

func flowsOf(t *testing.T, mesh *meshFlags, inv []string, path string) []verdictOf {
	t.Helper()
	cl, err := mesh.load(inv)
	require.NoError(t, err)
	src, err := capture.Open(path)
	require.NoError(t, err)
	defer src.Close()
	a := engine.New(engine.Options{Inventory: cl.inv, Index: cl.idx})
	require.NoError(t, a.Run(context.Background(), src))
	var out []verdictOf
	for f := range a.Result(cl.annotators(true)...).Flows() {
		out = append(out, verdictOf{Proto: f.Proto.String(), Client: f.Client.String(), Server: f.Server.String(), NATTo: f.NATTo.String(),
			ClientPod: f.ClientPod.String(), ServerPod: f.ServerPod.String(), Service: f.Service.String(),
			Verdict: f.Verdict.String(), Expected: f.Expected.String(), Role: f.Role.String(), Intercepted: f.Intercepted,
			SNI: f.SNI, HTTPHost: f.HTTPHost, HTTPRequest: f.HTTPRequest, ALPN: f.ALPN})
	}
	return out
}

// filterPcap writes the frames of a pcap file that expr matches to a new
// file, as tcpdump -r IN -w OUT EXPR does.
func filterPcap(t *testing.T, in, expr string) (out string, kept, total int) {
	t.Helper()
	f, err := os.Open(in)
	require.NoError(t, err)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	require.NoError(t, err)
	bpf, err := pcap.NewBPF(r.LinkType(), int(r.Snaplen()), expr)
	require.NoError(t, err, "the filter compiles for %s", r.LinkType())
	out = filepath.Join(t.TempDir(), filepath.Base(in))
	o, err := os.Create(out)
	require.NoError(t, err)
	defer o.Close()
	w := pcapgo.NewWriter(o)
	require.NoError(t, w.WriteFileHeader(r.Snaplen(), layers.LinkType(r.LinkType())))
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		total++
		if bpf.Matches(ci, data) {
			kept++
			require.NoError(t, w.WritePacket(ci, data))
		}
	}
	return out, kept, total
}
