package istio

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

func suggestReport() (*report.Report, *inventory.Inventory) {
	inv := &inventory.Inventory{
		Pods: []*inventory.Pod{
			{Ref: inventory.Ref{Namespace: "web", Name: "frontend-7d9-abc"}, Labels: map[string]string{"app": "frontend", "pod-template-hash": "7d9"}},
			{Ref: inventory.Ref{Namespace: "web", Name: "legacy"}},
			{Ref: inventory.Ref{Namespace: "ops", Name: "cron"}, Sidecar: inventory.Absent},
		},
		Services: []*inventory.Service{svc("prod", "reviews", 9080), svc("prod", "ratings", 9080)},
	}
	f := func(clientPod, service, server, sni string, v report.Verdict) report.Flow {
		return report.Flow{Proto: capture.TCP, ClientPod: refOf(clientPod), Service: refOf(service), Server: netip.MustParseAddrPort(server), SNI: sni, Verdict: v, First: time.Unix(0, 0)}
	}
	return &report.Report{Flows: []report.Flow{
		f("web/frontend-7d9-abc", "prod/reviews", "10.96.0.1:9080", "", report.Passthrough),
		f("web/frontend-7d9-abc", "prod/reviews", "10.244.0.9:9080", "", report.SidecarDNAT),
		f("web/legacy", "prod/ratings", "10.96.0.2:9080", "", report.Passthrough),
		f("web/frontend-7d9-abc", "", "93.184.216.34:443", "example.com", report.External),
		f("ops/cron", "prod/reviews", "10.96.0.1:9080", "", report.Passthrough),
		f("", "prod/reviews", "10.96.0.1:9080", "", report.Passthrough),
	}}, inv
}

func TestSuggestPerNamespace(t *testing.T) {
	r, inv := suggestReport()
	sg := Suggest(r.All(), inv.Index(), SuggestOptions{})
	require.Len(t, sg.Sidecars, 1)
	sc := sg.Sidecars[0]
	assert.Equal(t, "web/default", sc.Ref.String())
	var hosts []string
	for _, h := range sc.Hosts {
		hosts = append(hosts, h.Host.String())
	}
	// web/example.com: the ServiceEntry proposed for the external
	// destination, in the client's namespace.
	assert.Equal(t, []string{"prod/ratings.prod.svc.cluster.local", "prod/reviews.prod.svc.cluster.local", "web/example.com", "istio-system/*"}, hosts)
	assert.Equal(t, "web/frontend-7d9-abc 2 flows, passthrough+sidecar-dnat", sc.Hosts[1].Evidence)
	require.Len(t, sg.Outside, 1)
	assert.Equal(t, "93.184.216.34:443", sg.Outside[0].Addr.String())
	assert.Equal(t, 2, sg.Unattributed, "the pod without sidecar and the unknown client")

	var out bytes.Buffer
	require.NoError(t, sg.WriteYAML(&out))
	assert.Contains(t, out.String(), "#   93.184.216.34:443 (external, named example.com): 1 flow from web/frontend-7d9-abc\n")
	again := &Config{}
	require.NoError(t, again.Parse("out.yaml", out.Bytes()), out.String())
	s := again.ScopeIn("web", map[string]string{}, inv.Services)
	assert.Equal(t, []string{"prod/ratings", "prod/reviews", "web/example.com"}, importedNames(s))
}

// TestSuggestOwnNamespace: a namespace's default Sidecar proposed from
// scratch keeps "./*", so that applied as it is it does not cut the
// namespace off from its own services; merged into an existing one, it does
// not add it.
func TestSuggestOwnNamespace(t *testing.T) {
	r, inv := suggestReport()
	tests := []struct {
		name string
		opts SuggestOptions
		want []string
	}{
		{"from scratch", SuggestOptions{OwnNamespace: true},
			[]string{"./*", "prod/ratings.prod.svc.cluster.local", "prod/reviews.prod.svc.cluster.local", "web/example.com", "istio-system/*"}},
		{"told not to", SuggestOptions{},
			[]string{"prod/ratings.prod.svc.cluster.local", "prod/reviews.prod.svc.cluster.local", "web/example.com", "istio-system/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := Suggest(r.All(), inv.Index(), tt.opts)
			require.Len(t, sg.Sidecars, 1)
			var hosts []string
			for _, h := range sg.Sidecars[0].Hosts {
				hosts = append(hosts, h.Host.String())
			}
			assert.Equal(t, tt.want, hosts)
			var out bytes.Buffer
			require.NoError(t, sg.WriteYAML(&out))
			again := &Config{}
			require.NoError(t, again.Parse("out.yaml", out.Bytes()), out.String())
		})
	}
}

func TestSuggestPerWorkload(t *testing.T) {
	r, inv := suggestReport()
	sg := Suggest(r.All(), inv.Index(), SuggestOptions{PerWorkload: true})
	require.Len(t, sg.Sidecars, 2)
	assert.Equal(t, "web/default", sg.Sidecars[0].Ref.String(), "legacy's labels are unknown: the namespace")
	assert.Contains(t, sg.Sidecars[0].Note, "does not list the labels of web/legacy")
	assert.Equal(t, "web/frontend", sg.Sidecars[1].Ref.String())
	assert.Equal(t, map[string]string{"app": "frontend"}, sg.Sidecars[1].Selector)
}

func TestSuggestFrom(t *testing.T) {
	r, inv := suggestReport()
	from := mustConfig(t, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: web, resourceVersion: \"7\"}\nspec:\n  egress:\n  - hosts: [\"prod/ratings.prod.svc.cluster.local\", \"istio-system/*\"]\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: other}\nspec: {}\n")
	sg := Suggest(r.All(), inv.Index(), SuggestOptions{From: from})
	require.Len(t, sg.Sidecars, 2)
	assert.Equal(t, "other/default", sg.Sidecars[0].Ref.String())
	assert.Contains(t, sg.Sidecars[0].Note, "unchanged")
	added := sg.Sidecars[1].Added()
	require.Len(t, added, 2, "prod/reviews, and the host of the ServiceEntry proposed for example.com")
	assert.Equal(t, "prod/reviews.prod.svc.cluster.local", added[0].Host.String())
	assert.Equal(t, "web/example.com", added[1].Host.String())

	var out bytes.Buffer
	require.NoError(t, sg.WriteYAML(&out))
	assert.Contains(t, out.String(), "adds prod/reviews.prod.svc.cluster.local, web/example.com.")
	assert.NotContains(t, out.String(), "already covered", "covered by the very same host: nothing to say")
	assert.NotContains(t, out.String(), "resourceVersion")
}

// TestSuggestServiceEntry: an external destination gets a proposed
// ServiceEntry, which, read back with the proposed Sidecar, makes the
// sidecar's scope name it: the flow is then expected to leave the pod
// (egress) instead of being blocked under REGISTRY_ONLY.
func TestSuggestServiceEntry(t *testing.T) {
	r, inv := suggestReport()
	sg := Suggest(r.All(), inv.Index(), SuggestOptions{})
	var out bytes.Buffer
	require.NoError(t, sg.WriteYAML(&out))
	assert.Contains(t, out.String(), "kind: ServiceEntry\n")
	again := &Config{}
	require.NoError(t, again.Parse("out.yaml", out.Bytes()), out.String())
	require.Len(t, again.ServiceEntries, 1, out.String())
	se := again.ServiceEntries[0]
	assert.Equal(t, "web", se.Namespace)
	assert.Equal(t, []string{"example.com"}, se.Hosts)
	s := again.ScopeIn("web", map[string]string{}, inv.Services)
	exp, ok := s.Expect(Destination{Addr: netip.MustParseAddrPort("93.184.216.34:443"), Proto: capture.TCP, Names: []string{"example.com"}}, inventory.Present, false)
	require.True(t, ok)
	assert.Equal(t, report.ExpectEgress, exp.Path, exp.Why)
}
