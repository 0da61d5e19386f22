package istio

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// srcSE is where istiod turns a ServiceEntry into registry services
// (release-1.31 eed52ebb66ad); the rows name the oracle scenario
// (fixtures/istio-oracle/testdata/scenarios/se-*) that recorded istiod's
// answer.
const srcSE = "istio/istio@eed52ebb66ad pilot/pkg/serviceregistry/serviceentry/conversion.go convertServices; pilot/pkg/model/push_context.go IsServiceVisible"

// TestServiceEntryClusters: bookinfo/reviews and ServiceEntries, seen
// from namespace default: one cluster per host and port, exportTo and
// the mesh default as for Services, Sidecar hosts matching the entry's
// host, Kubernetes services taking precedence over an entry of their name.
func TestServiceEntryClusters(t *testing.T) {
	se := func(ns, name, extra string, hosts ...string) string {
		s := "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n  hosts:\n"
		for _, h := range hosts {
			s += "  - \"" + h + "\"\n"
		}
		return s + "  ports:\n  - {name: https, number: 443, protocol: TLS}\n  resolution: DNS\n" + extra
	}
	sidecar := func(hosts string) string {
		return "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\nspec:\n  egress:\n  - hosts: " + hosts + "\n"
	}
	tests := []struct {
		name, scenario, config string
		want                   []string
	}{
		{"a host, a port", "se-external-dns", se("default", "example", "", "api.example.com"), []string{"outbound|443||api.example.com", "outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"two hosts", "se-two-hosts-two-ports", se("bookinfo", "multi", "", "a.example.com", "b.example.com"), []string{"outbound|443||a.example.com", "outbound|443||b.example.com", "outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"a wildcard host", "se-wildcard-none", se("default", "wild", "", "*.example.com"), []string{"outbound|443||*.example.com", "outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"exportTo . hides it from another namespace", "se-exportto-dot", se("bookinfo", "private", "  exportTo: [\".\"]\n", "private.example.com"), []string{"outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"exportTo naming the client's namespace", "se-exportto-client-ns", se("bookinfo", "to-default", "  exportTo: [default]\n", "x.example.com"), []string{"outbound|443||x.example.com", "outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"defaultServiceExportTo [.] applies", "se-mesh-export-dot", se("bookinfo", "example", "", "api.example.com") + "---\ndefaultServiceExportTo: [\".\"]\n", []string{}},
		{"a Sidecar's */host imports it", "se-sidecar-host-registry-only", se("bookinfo", "example", "", "api.example.com") + se("bookinfo", "other", "", "other.example.com") + sidecar(`["./*", "*/api.example.com"]`), []string{"outbound|443||api.example.com"}},
		{"a Sidecar's ns/* imports that namespace's entries", "se-sidecar-ns-star", se("bookinfo", "example", "", "api.example.com") + se("istio-system", "other", "", "other.example.com") + sidecar(`["bookinfo/*"]`), []string{"outbound|443||api.example.com", "outbound|9080||reviews.bookinfo.svc.cluster.local"}},
		{"a Kubernetes service's name: the Service wins", "se-shadows-k8s", se("default", "shadow", "", "reviews.bookinfo.svc.cluster.local"), []string{"outbound|9080||reviews.bookinfo.svc.cluster.local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, tt.config)
			got := []string{}
			for _, c := range cfg.ScopeIn("default", map[string]string{}, []*inventory.Service{svc("bookinfo", "reviews", 9080)}).Clusters(&inventory.Inventory{}) {
				got = append(got, c.Name)
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			assert.Equal(t, tt.want, got, "source %s, oracle scenario %s", srcSE, tt.scenario)
		})
	}
}

// TestServiceEntryRead: a ServiceEntry without hosts is refused at its spec.
func TestServiceEntryRead(t *testing.T) {
	_, err := configOf(t, "se.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x, namespace: default}\nspec:\n  ports: [{name: a, number: 443, protocol: TLS}]\n")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.hosts")
}

// TestServiceEntryExpect: a flow to a destination that is no Kubernetes
// service is expected to leave the pod when a ServiceEntry in the
// sidecar's scope names it (by a host its SNI or HTTP Host carries, or by
// address), REGISTRY_ONLY or not; otherwise REGISTRY_ONLY blocks it. The
// registry side of the same entries is held to istiod by the oracle's se-
// scenarios (fixtures/oracle TestIstioScope).
func TestServiceEntryExpect(t *testing.T) {
	const mesh = "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n"
	const entries = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: web}
spec:
  hosts: ["api.example.com", "*.wild.example.org"]
  addresses: ["203.0.113.7"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: DNS
`
	pod := &inventory.Pod{Ref: inventory.Ref{Namespace: "web", Name: "frontend"}, Sidecar: inventory.Present}
	tests := []struct {
		name    string
		entries bool
		addr    string
		names   []string
		want    report.Path
	}{
		{"the SNI names the entry's host", true, "93.184.216.34:443", []string{"api.example.com"}, report.ExpectEgress},
		{"a wildcard host covers the SNI", true, "93.184.216.34:443", []string{"x.wild.example.org"}, report.ExpectEgress},
		{"the entry's address", true, "203.0.113.7:443", nil, report.ExpectEgress},
		{"another port of that host", true, "93.184.216.34:80", []string{"api.example.com"}, report.ExpectBlocked},
		{"a host no entry names", true, "93.184.216.34:443", []string{"other.example.com"}, report.ExpectBlocked},
		{"no ServiceEntry", false, "93.184.216.34:443", []string{"api.example.com"}, report.ExpectBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    " + mesh
			if tt.entries {
				text += "---\n" + entries
			}
			cfg := mustConfig(t, text)
			s := cfg.ScopeFor(pod, nil)
			exp, ok := s.Expect(Destination{Addr: netip.MustParseAddrPort(tt.addr), Proto: capture.TCP, Names: tt.names}, inventory.Present, false)
			require.True(t, ok)
			assert.Equal(t, tt.want, exp.Path, exp.Why)
		})
	}
}
