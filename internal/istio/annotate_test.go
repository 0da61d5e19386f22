package istio

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

func TestAnnotate(t *testing.T) {
	inv := &inventory.Inventory{
		Pods: []*inventory.Pod{
			{Ref: inventory.Ref{Namespace: "web", Name: "frontend-1"}, IPs: []netip.Addr{netip.MustParseAddr("10.244.0.5")}, Labels: map[string]string{"app": "frontend"}, Sidecar: inventory.Present},
			{Ref: inventory.Ref{Namespace: "web", Name: "batch"}, IPs: []netip.Addr{netip.MustParseAddr("10.244.0.6")}, Labels: map[string]string{}, Sidecar: inventory.Absent},
		},
		Services: []*inventory.Service{svc("web", "api", 80), svc("prod", "reviews", 9080), svc("kube-system", "kube-dns", 53)},
	}
	cfg := mustConfig(t, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: web}\nspec:\n  egress: [{hosts: [\"./*\"]}]\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")
	flow := func(client, server, clientPod, service string, port int, proto string, v engine.Verdict) engine.Flow {
		return engine.Flow{Proto: proto, Client: client, Server: server, ClientPod: clientPod, Service: service, ServicePort: port, Verdict: v, First: time.Unix(0, 0)}
	}
	r := &engine.Report{
		Flows: []engine.Flow{
			// in scope, yet to the ClusterIP
			flow("10.244.0.5:4000", "10.96.0.1:80", "web/frontend-1", "web/api", 80, "tcp", engine.Passthrough),
			// out of scope under REGISTRY_ONLY, yet it left the pod
			flow("10.244.0.5:4001", "10.96.0.2:9080", "web/frontend-1", "prod/reviews", 9080, "tcp", engine.Passthrough),
			// outside the inventory under REGISTRY_ONLY
			flow("10.244.0.5:4002", "93.184.216.34:443", "web/frontend-1", "", 0, "tcp", engine.External),
			// UDP is never intercepted
			flow("10.244.0.5:4003", "10.96.0.10:53", "web/frontend-1", "kube-system/kube-dns", 53, "udp", engine.Passthrough),
			// no sidecar: kube-proxy
			flow("10.244.0.6:4004", "10.96.0.1:80", "web/batch", "web/api", 80, "tcp", engine.Passthrough),
			// not a known pod: nothing predicted
			flow("10.1.1.1:4005", "10.96.0.1:80", "", "web/api", 80, "tcp", engine.Passthrough),
		},
	}
	Annotate(r, inv, cfg)

	want := []string{"sidecar-dnat", "blocked", "blocked", "passthrough", "passthrough", ""}
	for i, f := range r.Flows {
		assert.Equal(t, want[i], f.Expected, "flow %d: %s", i, f.ExpectedWhy)
		assert.Equal(t, f.Expected != "" && f.Expected != f.Verdict.String(), f.ExpectedWhy != "", "flow %d explains only differences", i)
	}
	assert.Contains(t, r.Flows[0].ExpectedWhy, "yet the flow went to the ClusterIP")
	assert.Contains(t, r.Flows[0].ExpectedWhy, "excludeOutboundPorts")
	assert.Contains(t, r.Flows[1].ExpectedWhy, "BlackHoleCluster")
	assert.Contains(t, r.Flows[2].ExpectedWhy, "ServiceEntry")

	// The summary is made again from the annotated flows.
	expected := map[string]string{}
	for _, row := range r.Summary {
		expected[row.Client+" → "+row.Destination] = row.Expected
	}
	assert.Equal(t, map[string]string{
		"10.1.1.1 → web/api": "", "web/batch → web/api": "passthrough", "web/frontend-1 → web/api": "sidecar-dnat",
		"web/frontend-1 → prod/reviews": "blocked", "web/frontend-1 → 93.184.216.34:443": "blocked",
		"web/frontend-1 → kube-system/kube-dns": "passthrough",
	}, expected)
	require.NotNil(t, r.Mesh)
	assert.Equal(t, []string{"web/default from " + cfg.Sidecars[0].From.String()}, r.Mesh.Sidecars)
	require.Len(t, r.Warnings, 3, "one a summary row whose path differs")
	assert.Contains(t, r.Warnings, "web/frontend-1 → web/api: observed passthrough, expected sidecar-dnat: "+r.Flows[0].ExpectedWhy)
}

// TestAnnotateRows: a summary row carries its flows' expectations, several
// joined by "+" in a fixed order, each explanation once.
func TestAnnotateRows(t *testing.T) {
	flows := []engine.Flow{
		{ClientPod: "c", Service: "d", Verdict: engine.SidecarDNAT, Expected: "passthrough", ExpectedWhy: "w1"},
		{ClientPod: "c", Service: "d", Verdict: engine.SidecarDNAT, Expected: "sidecar-dnat"},
		{ClientPod: "c", Service: "d", Verdict: engine.SidecarDNAT, Expected: "passthrough", ExpectedWhy: "w1"},
		{ClientPod: "c", Service: "e", Verdict: engine.SidecarDNAT, Expected: "blocked", ExpectedWhy: "other row"},
	}
	r := &engine.Report{Flows: flows}
	r.Annotate(keepExpected{&annotator{cfg: &Config{}, known: map[inventory.Ref]bool{}}})
	require.Len(t, r.Summary, 2)
	row := r.Summary[0]
	assert.Equal(t, "d", row.Destination)
	assert.Equal(t, "sidecar-dnat+passthrough", row.Expected)
	assert.Equal(t, "w1", row.ExpectedWhy)
}

// keepExpected is the annotator with the flows' expectations left as given.
type keepExpected struct{ *annotator }

func (keepExpected) Annotate(*engine.Flow) {}
