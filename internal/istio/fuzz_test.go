package istio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/inventory"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// FuzzConfig feeds the Sidecar and mesh config reader arbitrary files. It
// must not panic; an error must be a *source.Error inside the file; what it reads
// must give a scope, and a Sidecar written back by suggest --from must read
// again as the same Sidecar.
func FuzzConfig(f *testing.F) {
	// The seed's File 1 (./* and istio-system/*), File 2 (workloadSelector)
	// and File 3 (the mesh key alone, REGISTRY_ONLY).
	for _, name := range []string{"file1-default.yaml", "file2-workload-selector.yaml", "file3-mesh-config.yaml"} {
		data, err := os.ReadFile(filepath.Join(bookinfo, "sidecars", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// kubectl get sidecars -A -o json: a List, with server-set fields.
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"networking.istio.io/v1beta1","kind":"Sidecar","metadata":{"name":"a","namespace":"x","uid":"1","resourceVersion":"9","creationTimestamp":"2024-01-01T00:00:00Z","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{"egress":[{"port":{"number":9080,"protocol":"HTTP"},"hosts":["./*"]}],"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}},"status":{}}]}`))
	// The istio ConfigMap with its mesh key as a JSON string.
	f.Add([]byte(`{"kind":"ConfigMap","metadata":{"name":"istio"},"data":{"mesh":"rootNamespace: istio-config\noutboundTrafficPolicy:\n  mode: ALLOW_ANY\n"}}`))
	// IstioOperator and Helm values.
	f.Add([]byte("kind: IstioOperator\nspec:\n  meshConfig:\n    defaultServiceExportTo: [\".\"]\n"))
	f.Add([]byte("meshConfig:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n"))
	// Aliases standing for egress and hosts, and an alias loop's neighbour.
	f.Add([]byte("kind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress: &e [{hosts: &h [\"*/*\"]}]\n  x: *e\n  y: *h\n"))
	// Nulls where objects, lists and strings belong.
	f.Add([]byte("kind: Sidecar\nmetadata: {name: a, namespace: null}\nspec: {egress: null, workloadSelector: {labels: null}, outboundTrafficPolicy: null}\n"))
	// The mesh key holding malformed YAML, and holding a list.
	f.Add([]byte("mesh: |\n  a: [\n"))
	f.Add([]byte("mesh: \"- 1\\n- 2\"\n"))
	// Hosts at the edges of the grammar.
	f.Add([]byte("kind: Sidecar\nmetadata: {name: a, namespace: x}\nspec:\n  egress:\n  - hosts: [\"~/*\", \"*/*.a\", \"./*\", \"a/b\"]\n"))
	// Found by fuzzing: an empty key first; written back, the document must
	// still start like a Kubernetes object (apiVersion, kind first).
	f.Add([]byte("\"\": \"\"\nkind: Sidecar\nmetadata: {name: \"0\"}\n"))
	// Nested aliases that double at each level ("billion laughs"): writing
	// the Sidecar back must not expand them without bound.
	f.Add([]byte("kind: Sidecar\nmetadata: {name: a, namespace: x}\nx0: &a0 [y]\nx1: &a1 [*a0, *a0]\nx2: &a2 [*a1, *a1]\nx3: &a3 [*a2, *a2]\nx4: &a4 [*a3, *a3]\nx5: &a5 [*a4, *a4]\nx6: &a6 [*a5, *a5]\nx7: &a7 [*a6, *a6]\nx8: &a8 [*a7, *a7]\nx9: &a9 [*a8, *a8]\nxa: &aa [*a9, *a9]\nxb: &ab [*aa, *aa]\nxc: &ac [*ab, *ab]\nxd: &ad [*ac, *ac]\nxe: &ae [*ad, *ad]\nxf: &af [*ae, *ae]\nxg: &ag [*af, *af]\nxh: &ah [*ag, *ag]\nxi: &ai [*ah, *ah]\nxj: [*ai, *ai]\n"))
	// A document that is nothing Istio reads.
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"))
	services := []*inventory.Service{svc("x", "a", 80), svc("y", "b", 9080), svc("istio-system", "istiod", 15012)}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := &Config{}
		err := cfg.Parse("fuzz.yaml", data)
		if err != nil {
			var e *source.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *source.Error: %v", err, err)
			}
			if e.Path != "fuzz.yaml" || e.Line < 0 || e.Line > bytes.Count(data, []byte{'\n'})+2 {
				t.Fatalf("error outside the file: %v", err)
			}
			return
		}
		for _, sc := range cfg.Sidecars {
			if sc.Name == "" || sc.Namespace == "" {
				t.Fatalf("Sidecar without name or namespace: %+v", sc.Ref)
			}
			cfg.ScopeIn(sc.Namespace, sc.Selector, services).Clusters(&inventory.Inventory{})
			checkWriteBack(t, sc)
		}
		cfg.ScopeIn("x", nil, services)
	})
}

// checkWriteBack merges a host into sc as suggest --from does and reads
// the result again: the same Sidecar, with the host.
func checkWriteBack(t *testing.T, sc *Sidecar) {
	added := Host{Namespace: "y", DNSName: ServiceHost("y", "b")}
	sg := &Suggestion{Sidecars: []SuggestedSidecar{{Ref: sc.Ref, Selector: sc.Selector, Existing: sc,
		Hosts: []SuggestedHost{{Host: added, Evidence: "x/p 1 flow, passthrough", Added: true}}}}}
	if _, ok := covered(sc, added); ok {
		sg.Sidecars[0].Hosts[0].Added = false
	}
	var out bytes.Buffer
	if err := sg.WriteYAML(&out); err != nil {
		t.Fatalf("write: %v", err)
	}
	again := &Config{}
	if err := again.Parse("again.yaml", out.Bytes()); err != nil {
		t.Fatalf("written back, it does not read: %v\n%s", err, out.String())
	}
	if len(again.Sidecars) != 1 || again.Sidecars[0].Ref != sc.Ref {
		t.Fatalf("written back, it reads as %d Sidecars\n%s", len(again.Sidecars), out.String())
	}
	if _, ok := covered(again.Sidecars[0], added); !ok {
		t.Fatalf("written back, it lacks %s\n%s", added, out.String())
	}
	if !strings.Contains(out.String(), "kind: Sidecar") {
		t.Fatalf("no kind in\n%s", out.String())
	}
}
