package incluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/deploy"
	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/incluster"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
)

func TestMain(m *testing.M) { kubetest.Main(m) }

var run = filepath.Join("..", "..", "fixtures", "lab", "testdata", "run")

// labObjects creates in the API server what the lab's hand-exported
// inventory lists (pods, their status through the status subresource as a
// kubelet sets it, services, EndpointSlices), the lab's two nodes, the
// after scenario's Sidecar and a mesh config in the istio ConfigMap.
func labObjects(t *testing.T, s *kubetest.Server) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(run, "inventory", "kubectl-pods-svc-endpointslices.json"))
	require.NoError(t, err)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	require.NoError(t, json.Unmarshal(data, &list))
	var objs, statuses []string
	namespaces := map[string]bool{}
	for _, it := range list.Items {
		meta := it["metadata"].(map[string]any)
		delete(meta, "uid")
		namespaces[meta["namespace"].(string)] = true
		status, hasStatus := it["status"]
		delete(it, "status")
		objs = append(objs, jsonOf(t, it))
		if hasStatus && it["kind"] == "Pod" {
			statuses = append(statuses, jsonOf(t, map[string]any{"apiVersion": "v1", "kind": "Pod",
				"metadata": map[string]any{"name": meta["name"], "namespace": meta["namespace"]}, "status": status}))
		}
	}
	var nsDocs []string
	for ns := range namespaces {
		nsDocs = append(nsDocs, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n")
	}
	s.Apply(t, strings.Join(nsDocs, "---\n"))
	s.Apply(t, strings.Join(objs, "\n---\n"))
	s.ApplyStatus(t, strings.Join(statuses, "\n---\n"))
	for _, n := range []struct{ name, ip string }{{"kind-worker", "172.18.0.3"}, {"kind-worker2", "172.18.0.2"}} {
		s.Apply(t, "apiVersion: v1\nkind: Node\nmetadata: {name: "+n.name+"}\n")
		s.ApplyStatus(t, "apiVersion: v1\nkind: Node\nmetadata: {name: "+n.name+"}\nstatus: {addresses: [{type: InternalIP, address: \""+n.ip+"\"}]}\n")
	}
	sidecar, err := os.ReadFile(filepath.Join(run, "after", "sidecar.yaml"))
	require.NoError(t, err)
	s.Apply(t, string(sidecar))
	s.Apply(t, `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |-
    outboundTrafficPolicy:
      mode: ALLOW_ANY
`)
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// agentClient applies deploy/ (the agent's ServiceAccount and RBAC) and
// returns a Client with that ServiceAccount's real token.
func agentClient(t *testing.T, s *kubetest.Server, limit int) *incluster.Client {
	t.Helper()
	for _, m := range deploy.Manifests() {
		if !strings.Contains(string(m.Data), "kind: DaemonSet") {
			s.Apply(t, string(m.Data))
		}
	}
	token := s.ServiceAccountToken(t, deploy.Namespace, deploy.ServiceAccount)
	c, err := incluster.New(incluster.Config{Host: s.URL, Token: token, CAFile: s.CAFile, Limit: limit})
	require.NoError(t, err)
	return c
}

// TestLoadFromAPIServer reads the inventory with the agent's own
// ServiceAccount and RBAC from a real kube-apiserver holding the lab's
// objects, a page of 3 objects at a time, and checks that it holds exactly
// what was created and that the lab's after capture gets the same verdicts
// and expected paths as with the hand-exported inventory (the oracle:
// fixtures/lab's ground truth holds that one to what the lab did).
func TestLoadFromAPIServer(t *testing.T) {
	s := kubetest.Shared(t)
	labObjects(t, s)
	snap, err := agentClient(t, s, 3).Load(context.Background())
	require.NoError(t, err)
	api := snap.Inventory

	hand, handCfg := handInventory(t)
	assert.ElementsMatch(t, podsOf(hand), podsOf(api), "pods: name, IPs, node, sidecar")
	assert.Subset(t, servicesOf(api), servicesOf(hand), "services (the API adds default/kubernetes)")
	assert.Len(t, api.Endpoints, len(hand.Endpoints), "endpoints from the EndpointSlices")
	assert.Len(t, api.Nodes, 2)
	require.Len(t, snap.Istio.Sidecars, 1)
	assert.Equal(t, "default/default", snap.Istio.Sidecars[0].Ref.String())
	assert.Empty(t, snap.Skipped, "Istio's CRDs are served, the ConfigMap exists")
	assert.Contains(t, snap.Istio.Facts().OutboundTrafficPolicy, "ALLOW_ANY")

	want := verdicts(t, filepath.Join(run, "after", "any.pcap"), hand, handCfg)
	got := verdicts(t, filepath.Join(run, "after", "any.pcap"), api, snap.Istio)
	require.NotEmpty(t, want)
	assert.Equal(t, want, got, "verdicts and expected paths with the API's inventory (-want +got)")
}

// TestLoadForbidden holds the error of a ServiceAccount without the
// agent's ClusterRole: one line, naming the request and the RBAC to apply.
func TestLoadForbidden(t *testing.T) {
	s := kubetest.Shared(t)
	ns := s.Namespace(t, "incluster-nobody")
	s.Apply(t, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: nobody, namespace: "+ns+"}\n")
	c, err := incluster.New(incluster.Config{Host: s.URL, Token: s.ServiceAccountToken(t, ns, "nobody"), CAFile: s.CAFile})
	require.NoError(t, err)
	_, err = c.Load(context.Background())
	require.ErrorIs(t, err, incluster.ErrForbidden)
	assert.Contains(t, err.Error(), "GET /api/v1/pods")
	assert.Contains(t, err.Error(), "deploy/20-rbac.yaml")
	assert.NotContains(t, err.Error(), "\n")

	c, err = incluster.New(incluster.Config{Host: s.URL, Token: "not-a-token", CAFile: s.CAFile})
	require.NoError(t, err)
	_, err = c.Load(context.Background())
	require.True(t, errors.Is(err, incluster.ErrForbidden), "401: %v", err)
}

func handInventory(t *testing.T) (*inventory.Inventory, *istio.Config) {
	t.Helper()
	cfg := &istio.Config{}
	inv, err := inventory.LoadWith(inventory.Options{Documents: cfg.Take}, filepath.Join(run, "inventory", "kubectl-pods-svc-endpointslices.json"))
	require.NoError(t, err)
	require.NoError(t, cfg.Load(filepath.Join(run, "after", "sidecar.yaml")))
	cfg.SetVersionFromInventory(inv)
	return inv, cfg
}

func podsOf(inv *inventory.Inventory) []string {
	var out []string
	for _, p := range inv.Pods {
		var ips []string
		for _, ip := range p.IPs {
			ips = append(ips, ip.String())
		}
		out = append(out, p.Ref.String()+" "+strings.Join(ips, ",")+" "+p.Node+" "+p.Sidecar.String())
	}
	return out
}

func servicesOf(inv *inventory.Inventory) []string {
	var out []string
	for _, s := range inv.Services {
		var ips []string
		for _, ip := range s.ClusterIPs {
			ips = append(ips, ip.String())
		}
		out = append(out, s.Ref.String()+" "+strings.Join(ips, ","))
	}
	slices.Sort(out)
	return out
}

func verdicts(t *testing.T, path string, inv *inventory.Inventory, cfg *istio.Config) []string {
	t.Helper()
	src, err := capture.Open(path)
	require.NoError(t, err)
	defer src.Close()
	idx := inv.Index()
	a := engine.New(engine.Options{Inventory: inv, Index: idx})
	require.NoError(t, a.Run(context.Background(), src))
	var out []string
	for f := range a.Result(istio.Annotator(inv, idx, cfg)).Flows() {
		out = append(out, strings.Join([]string{f.Client.String(), f.Server.String(), f.ClientPod.String(), f.Service.String(),
			f.Verdict.String(), f.Expected.String()}, " "))
	}
	return out
}
