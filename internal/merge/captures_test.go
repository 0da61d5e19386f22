package merge

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// TestMergeLabCapturesSplitByNode takes the lab's committed node captures
// (tcpdump -i any on the lab's one node, whose pods the inventory places on
// kind-worker and kind-worker2), splits each into what the two nodes'
// agents would have seen — a frame goes to the node of each pod it is from
// or to, so a frame to a ClusterIP only to the client's node, and a frame
// between pods of two nodes to both — analyzes each node's share alone,
// merges the two reports, and checks the result against the unsplit
// capture's own report, the oracle (which fixtures/lab's ground truth
// holds to what the lab did): the same connections, each once, with the
// same verdicts and expected paths, and the cross-node ones seen on both
// nodes.
func TestMergeLabCapturesSplitByNode(t *testing.T) {
	run := filepath.Join("..", "..", "fixtures", "lab", "testdata", "run")
	for _, scenario := range []string{"before", "after", "kept-alive", "pooled", "registry-only"} {
		t.Run(scenario, func(t *testing.T) {
			dir := filepath.Join(run, scenario)
			inv, idx, cfg := labInventory(t, run, dir)
			whole := analyzeFile(t, filepath.Join(dir, "any.pcap"), inv, idx, cfg)
			shares := splitByNode(t, filepath.Join(dir, "any.pcap"), inv)
			require.Len(t, shares, 2, "both nodes have traffic")
			var reports []*report.Report
			for node, path := range shares {
				r := analyzeFile(t, path, inv, idx, cfg)
				r.Node = node
				reports = append(reports, r)
			}
			merged, st, err := Merge(reports, Options{})
			require.NoError(t, err)
			t.Logf("%s: %+v", scenario, st)

			type conn struct {
				Proto, Client, Server, Verdict, Expected string
			}
			key := func(f *report.Flow) conn {
				return conn{f.Proto.String(), f.Client.String(), f.Server.String(), f.Verdict.String(), f.Expected.String()}
			}
			var want, got []conn
			for i := range whole.Flows {
				want = append(want, key(&whole.Flows[i]))
			}
			for i := range merged.Flows {
				got = append(got, key(&merged.Flows[i]))
			}
			slices.SortFunc(want, func(a, b conn) int { return compareConn(a.Client+a.Server+a.Proto, b.Client+b.Server+b.Proto) })
			slices.SortFunc(got, func(a, b conn) int { return compareConn(a.Client+a.Server+a.Proto, b.Client+b.Server+b.Proto) })
			assert.Equal(t, want, got, "connections, each once, and their verdicts (-want +got)")
			assert.Equal(t, len(merged.Flows), st.Connections)
			assert.Positive(t, st.Shared, "some connections cross nodes")
			// The server's node alone takes a ClusterIP connection kube-proxy
			// sent to it for a pod-to-pod one: pairing is what sets it right.
			misjudged := 0
			for _, r := range reports {
				for _, f := range r.Flows {
					if !f.NATTo.IsValid() && f.Verdict != report.Passthrough && slices.ContainsFunc(merged.Flows, func(m report.Flow) bool {
						return m.Client == f.Client && m.NATTo.AddrPort == f.Server && m.Verdict == report.Passthrough
					}) {
						misjudged++
					}
				}
			}
			assert.Positive(t, misjudged, "the server's node alone misjudges passthrough connections")
			t.Logf("%s: %d sightings on the server's node alone misjudged, set right by the merge", scenario, misjudged)
			// A connection between pods of two nodes is seen on both.
			for _, f := range merged.Flows {
				srv := f.Reached().Addr.Addr()
				a, b := nodeOf(inv, f.Client.Addr()), nodeOf(inv, srv)
				if a != "" && b != "" && a != b {
					assert.Equal(t, []string{min(a, b), max(a, b)}, f.Nodes, "%s → %s crosses nodes", f.Client, f.Server)
				}
			}
		})
	}
}

func compareConn(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func labInventory(t *testing.T, run, dir string) (*inventory.Inventory, *inventory.Index, *istio.Config) {
	t.Helper()
	cfg := &istio.Config{}
	inv, err := inventory.LoadWith(inventory.Options{Documents: cfg.Take}, filepath.Join(run, "inventory"), filepath.Join(dir, "istioctl.txt"))
	require.NoError(t, err)
	for _, f := range []string{"sidecar.yaml", "mesh.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			if f == "mesh.yaml" {
				require.NoError(t, cfg.LoadMesh(filepath.Join(dir, f)))
			} else {
				require.NoError(t, cfg.Load(filepath.Join(dir, f)))
			}
		}
	}
	cfg.Finish()
	cfg.SetVersionFromInventory(inv)
	return inv, inv.Index(), cfg
}

func analyzeFile(t *testing.T, path string, inv *inventory.Inventory, idx *inventory.Index, cfg *istio.Config) *report.Report {
	t.Helper()
	src, err := capture.Open(path)
	require.NoError(t, err)
	defer src.Close()
	a := engine.New(engine.Options{Inventory: inv, Index: idx})
	require.NoError(t, a.Run(context.Background(), src))
	return a.Result(istio.Annotator(inv, idx, cfg)).Collect()
}

func nodeOf(inv *inventory.Inventory, a netip.Addr) string {
	for _, p := range inv.Pods {
		if !p.HostNetwork && slices.Contains(p.IPs, a) {
			return p.Node
		}
	}
	return ""
}

// splitByNode writes one pcap a node: the frames from or to its pods.
func splitByNode(t *testing.T, path string, inv *inventory.Inventory) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	require.NoError(t, err)
	type out struct {
		path string
		w    *pcapgo.Writer
		f    *os.File
	}
	outs := map[string]*out{}
	writer := func(node string) *pcapgo.Writer {
		if o, ok := outs[node]; ok {
			return o.w
		}
		p := filepath.Join(t.TempDir(), node+".pcap")
		of, err := os.Create(p)
		require.NoError(t, err)
		w := pcapgo.NewWriter(of)
		require.NoError(t, w.WriteFileHeader(r.Snaplen(), r.LinkType()))
		outs[node] = &out{path: p, w: w, f: of}
		return w
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		pkt := gopacket.NewPacket(data, r.LinkType(), gopacket.NoCopy)
		nl := pkt.NetworkLayer()
		if nl == nil {
			continue
		}
		src, _ := netip.AddrFromSlice(nl.NetworkFlow().Src().Raw())
		dst, _ := netip.AddrFromSlice(nl.NetworkFlow().Dst().Raw())
		for _, node := range slices.Compact([]string{nodeOf(inv, src.Unmap()), nodeOf(inv, dst.Unmap())}) {
			if node != "" {
				require.NoError(t, writer(node).WritePacket(ci, data))
			}
		}
	}
	paths := map[string]string{}
	for node, o := range outs {
		require.NoError(t, o.f.Close())
		paths[node] = o.path
	}
	return paths
}
