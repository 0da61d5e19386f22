package istio

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
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
	flow := func(client, server, clientPod, service string, port int, proto string, v report.Verdict) report.Flow {
		t := capture.TCP
		if proto == "udp" {
			t = capture.UDP
		}
		return report.Flow{Proto: t, Client: netip.MustParseAddrPort(client), Server: netip.MustParseAddrPort(server), ClientPod: refOf(clientPod),
			Service: refOf(service), ServicePort: uint16(port), Verdict: v, First: time.Unix(0, 0)}
	}
	r := &report.Report{
		Flows: []report.Flow{
			// in scope, yet to the ClusterIP
			flow("10.244.0.5:4000", "10.96.0.1:80", "web/frontend-1", "web/api", 80, "tcp", report.Passthrough),
			// out of scope under REGISTRY_ONLY, yet it left the pod
			flow("10.244.0.5:4001", "10.96.0.2:9080", "web/frontend-1", "prod/reviews", 9080, "tcp", report.Passthrough),
			// outside the inventory under REGISTRY_ONLY
			flow("10.244.0.5:4002", "93.184.216.34:443", "web/frontend-1", "", 0, "tcp", report.External),
			// UDP is never intercepted
			flow("10.244.0.5:4003", "10.96.0.10:53", "web/frontend-1", "kube-system/kube-dns", 53, "udp", report.Passthrough),
			// no sidecar: kube-proxy
			flow("10.244.0.6:4004", "10.96.0.1:80", "web/batch", "web/api", 80, "tcp", report.Passthrough),
			// not a known pod: nothing predicted
			flow("10.1.1.1:4005", "10.96.0.1:80", "", "web/api", 80, "tcp", report.Passthrough),
			// istio-agent's own connection to istiod: not intercepted, so
			// no Sidecar object decides its path
			flow("10.244.0.5:4006", "10.244.9.9:15012", "web/frontend-1", "", 0, "tcp", report.Istio),
		},
	}
	annotate(r, Annotator(inv, nil, cfg))

	want := []string{"sidecar-dnat", "blocked", "blocked", "passthrough", "passthrough", "", ""}
	for i, f := range r.Flows {
		assert.Equal(t, want[i], f.Expected.String(), "flow %d: %s", i, f.ExpectedWhy)
		assert.Equal(t, !f.Expected.IsZero() && !f.Expected.Matches(f.Verdict), f.ExpectedWhy != "", "flow %d explains only differences", i)
	}
	assert.Contains(t, r.Flows[0].ExpectedWhy, "yet the flow went to the ClusterIP")
	assert.Contains(t, r.Flows[0].ExpectedWhy, "excludeOutboundPorts")
	assert.Contains(t, r.Flows[1].ExpectedWhy, "BlackHoleCluster")
	assert.Contains(t, r.Flows[2].ExpectedWhy, "ServiceEntry")

	// The summary is made again from the annotated flows.
	expected := map[string]string{}
	for _, row := range r.Summary {
		expected[row.Client.String()+" → "+row.Destination.String()] = row.Expected.String()
	}
	assert.Equal(t, map[string]string{
		"10.1.1.1 → web/api": "", "web/batch → web/api": "passthrough", "web/frontend-1 → web/api": "sidecar-dnat",
		"web/frontend-1 → 10.244.9.9:15012": "",
		"web/frontend-1 → prod/reviews":     "blocked", "web/frontend-1 → 93.184.216.34:443": "blocked",
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
	flows := []report.Flow{
		{ClientPod: refOf("c"), Service: refOf("d"), Verdict: report.SidecarDNAT, Expected: report.ExpectPassthrough, ExpectedWhy: "w1"},
		{ClientPod: refOf("c"), Service: refOf("d"), Verdict: report.SidecarDNAT, Expected: report.ExpectSidecarDNAT},
		{ClientPod: refOf("c"), Service: refOf("d"), Verdict: report.SidecarDNAT, Expected: report.ExpectPassthrough, ExpectedWhy: "w1"},
		{ClientPod: refOf("c"), Service: refOf("e"), Verdict: report.SidecarDNAT, Expected: report.ExpectBlocked, ExpectedWhy: "other row"},
	}
	r := &report.Report{Flows: flows}
	annotate(r, keepExpected{&annotator{cfg: &Config{}, known: map[inventory.Ref]bool{}}})
	require.Len(t, r.Summary, 2)
	row := r.Summary[0]
	assert.Equal(t, "d", row.Destination.String())
	assert.Equal(t, "sidecar-dnat+passthrough", row.Expected.String())
	assert.Equal(t, "w1", row.ExpectedWhy)
}

// keepExpected is the annotator with the flows' expectations left as given.
type keepExpected struct{ *annotator }

func (keepExpected) Annotate(*report.Flow) {}

// annotate does to a collected report what engine.Result does to the flows
// it makes: every flow observed, then annotated and summed up, then the
// annotator finishes the report.
func annotate(r *report.Report, an engine.Annotator) {
	for i := range r.Flows {
		an.Observe(&r.Flows[i])
	}
	var sum report.Summarizer
	for i := range r.Flows {
		an.Annotate(&r.Flows[i])
		sum.Add(&r.Flows[i])
	}
	r.Summary = sum.Rows()
	an.Finish(r)
}

// refOf reads "namespace/name" or "name"; "" is no reference.
func refOf(s string) inventory.Ref {
	if ns, name, ok := strings.Cut(s, "/"); ok {
		return inventory.Ref{Namespace: ns, Name: name}
	}
	return inventory.Ref{Name: s}
}
