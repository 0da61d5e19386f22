package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/fixtures/lab/cluster"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/mesh"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/scenario"
	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
)

// labRun is the lab's committed run: real captures, and the inventory a
// user exported by hand (kubectl JSON, istioctl tables, the Sidecar).
const labRun = "../../fixtures/lab/testdata/run"

// envoyRegistry answers as the lab's sidecar admin does for a scenario.
type envoyRegistry struct{ spec scenario.Spec }

func (r envoyRegistry) Clusters(ctx context.Context, namespace, pod string) ([]byte, error) {
	var sidecars []mesh.Sidecar
	if r.spec.Sidecar != "" {
		var err error
		if sidecars, err = mesh.ParseSidecars([]byte(r.spec.Sidecar), "default"); err != nil {
			return nil, err
		}
	}
	reg, err := mesh.Compute(cluster.Bookinfo(), sidecars, mesh.AllowAny, namespace+"/"+pod)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = mesh.WriteEnvoyClusters(&b, reg)
	return b.Bytes(), err
}

// labObjects is the lab's cluster as kubectl get -o json lists it.
func labObjects(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, cluster.WriteJSON(&b, cluster.Bookinfo()))
	return b.Bytes()
}

// TestInventoryExport exports the lab's cluster (client-go's fake
// clientset holding the objects of the lab's kubectl JSON, the Sidecar of
// the scenario and the istio ConfigMap) and checks that the bundle holds
// exactly those objects, and that it analyzes the lab's committed captures
// to the same flows and verdicts as the hand-exported inventory of the
// run (its oracle).
func TestInventoryExport(t *testing.T) {
	for _, spec := range scenario.Specs()[:2] {
		t.Run(spec.Name, func(t *testing.T) {
			objects := labObjects(t)
			c := fakeClients(t, objects, istioObjects(t, spec))
			var warnings []string
			e := &exporter{kube: c.kube, dyn: c.dyn, registry: envoyRegistry{spec},
				warn: func(f string, a ...any) { warnings = append(warnings, f) }}
			b, err := e.export(context.Background(), exportOptions{istioNamespace: "istio-system",
				registries: []podRef{{"default", "my-shell"}}})
			require.NoError(t, err)
			assert.Empty(t, warnings)
			registry := []byte(`{"items":[{"apiVersion":"pcapcheck.dev/v1","kind":"SidecarRegistry","metadata":{"namespace":"default","name":"my-shell"}}]}`)
			assert.Equal(t, itemNames(t, objects, istioObjects(t, spec), registry), itemNames(t, b.Bytes()), "(-want +got): the bundle holds exactly the objects created")

			hand := []string{filepath.Join(labRun, "inventory"), filepath.Join(labRun, spec.Name, "istioctl.txt")}
			var sidecars []string
			if spec.Sidecar != "" {
				sidecars = []string{filepath.Join(labRun, spec.Name, "sidecar.yaml")}
			}
			for _, capture := range []string{"pod-any.pcap", "any.pcap", "veth.pcap"} {
				path := filepath.Join(labRun, spec.Name, capture)
				want := analyzeHand(t, path, hand, sidecars)
				got := analyzeBundle(t, path, b.Bytes())
				require.NotEmpty(t, want)
				assert.Equal(t, want, got, "%s (-want +got)", capture)
			}
		})
	}
}

// itemNames lists the items of Lists, one "apiVersion kind ns/name" a
// line, sorted.
func itemNames(t *testing.T, lists ...[]byte) string {
	t.Helper()
	var lines []string
	for _, data := range lists {
		var l struct {
			Items []struct {
				APIVersion, Kind string
				Metadata         struct{ Namespace, Name string }
			}
		}
		require.NoError(t, json.Unmarshal(data, &l))
		for _, it := range l.Items {
			lines = append(lines, it.APIVersion+" "+it.Kind+" "+it.Metadata.Namespace+"/"+it.Metadata.Name+"\n")
		}
	}
	slices.Sort(lines)
	var s string
	for _, l := range lines {
		s += l
	}
	return s
}

// verdictLine is what the export test compares of each flow.
type verdictLine struct {
	Client, Server, Verdict, Service, Expected string
}

func verdicts(t *testing.T, res *engine.Result) []verdictLine {
	var out []verdictLine
	for f := range res.Flows() {
		out = append(out, verdictLine{f.Client.String(), f.Server.String(), f.Verdict.String(), f.Service.String(), f.Expected.String()})
	}
	return out
}

// analyzeHand reads as pcapcheck analyze PATH --inventory INV...
// --sidecars SIDECARS... --mesh-config (ALLOW_ANY) does (meshflags.go).
func analyzeHand(t *testing.T, path string, inv, sidecars []string) []verdictLine {
	t.Helper()
	meshFile := filepath.Join(t.TempDir(), "mesh.yaml")
	require.NoError(t, os.WriteFile(meshFile, []byte("mesh: |\n  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n"), 0o644))
	cfg := &istio.Config{}
	loaded, err := inventory.LoadWith(inventory.Options{Documents: cfg.Take}, inv...)
	require.NoError(t, err)
	require.NoError(t, cfg.Load(sidecars...))
	require.NoError(t, cfg.LoadMesh(meshFile))
	cfg.Finish()
	cfg.SetVersionFromInventory(loaded)
	return verdicts(t, readWith(t, path, loaded, cfg))
}

// readWith analyzes a capture file as analyze does.
func readWith(t *testing.T, path string, inv *inventory.Inventory, cfg *istio.Config) *engine.Result {
	t.Helper()
	src, err := capture.Open(path)
	require.NoError(t, err)
	defer src.Close()
	idx := inv.Index()
	a := engine.New(engine.Options{Inventory: inv, Index: idx})
	require.NoError(t, a.Run(context.Background(), src))
	var anns []engine.Annotator
	if !cfg.Empty() {
		anns = append(anns, istio.Annotator(inv, idx, cfg))
	}
	return a.Result(anns...)
}

func analyzeBundle(t *testing.T, path string, bundle []byte) []verdictLine {
	t.Helper()
	inv, cfg, err := istio.ReadBundle("inventory.json", bundle)
	require.NoError(t, err)
	return verdicts(t, readWith(t, path, inv, cfg))
}
