package istio

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// The Istio sources every rule below is checked against. Code is
// github.com/istio/istio at commit b9da1bde (master, 2025) unless the name
// says otherwise; the reference page is the one the seed cites.
const (
	srcReference  = "https://istio.io/latest/docs/reference/config/networking/sidecar/"
	srcSelect     = "istio/istio pilot/pkg/model/push_context.go getSidecarScope and initSidecarScopes"
	srcSort       = "istio/istio pilot/pkg/model/config.go sortConfigByCreationTime"
	srcListener   = "istio/istio pilot/pkg/model/sidecar.go convertIstioListenerToWrapper"
	srcSelectSvc  = "istio/istio pilot/pkg/model/sidecar.go IstioEgressListenerWrapper.selectServices"
	srcNoEgress   = "istio/istio pilot/pkg/model/sidecar.go initSidecarScopeInternalIndexes (\"If egress not set, setup a default listener\" */*)"
	srcPortMatch  = "istio/istio pilot/pkg/model/sidecar.go needsPortMatch and serviceMatchingListenerPort"
	srcSubsetOf   = "istio/istio pkg/config/host/name.go Name.SubsetOf"
	srcExportTo   = "istio/istio pilot/pkg/model/push_context.go initServiceRegistry and servicesExportedToNamespace"
	srcExportAnn  = "istio/istio pilot/pkg/serviceregistry/kube/conversion.go ConvertService (annotation split at commas, trimmed)"
	srcMeshDef    = "istio/istio pkg/config/mesh/mesh.go DefaultMeshConfig (RootNamespace istio-system, OutboundTrafficPolicy ALLOW_ANY, DefaultServiceExportTo [*])"
	srcPolicy     = "istio/istio pilot/pkg/model/sidecar.go: Sidecar.OutboundTrafficPolicy if set, else ps.Mesh.OutboundTrafficPolicy; istio/istio#12873"
	srcBlackHole  = "https://github.com/istio/istio/issues/34632 (ALLOW_ANY: PassthroughCluster; REGISTRY_ONLY: BlackHoleCluster)"
	srcUDPCluster = "istio/istio pilot/pkg/networking/core/cluster.go buildOutboundClusters skips protocol UDP"
	// src130 is the 1.30-era istiod the oracle also runs (istio.io/istio
	// b01690e6db7d, fixtures/istio-oracle/istio-1.30).
	src130 = "istio/istio b01690e6db7d (1.30 development line) pilot/pkg/model/push_context.go initServiceRegistry"
)

// world is a small cluster for the rule tables: services in four
// namespaces, one hidden by exportTo, one exported to one namespace.
func world() []*inventory.Service {
	private := svc("prod", "private", 80)
	private.Annotations = map[string]string{ExportToAnnotation: "."}
	hidden := svc("prod", "hidden", 80)
	hidden.Annotations = map[string]string{ExportToAnnotation: "~"}
	toWeb := svc("prod", "for-web", 80)
	toWeb.Annotations = map[string]string{ExportToAnnotation: " web , other"}
	mixed := svc("prod", "mixed", 80)
	mixed.Annotations = map[string]string{ExportToAnnotation: "~,*"}
	return []*inventory.Service{
		svc("web", "frontend", 80), svc("web", "api", 80, 8080),
		svc("prod", "reviews", 9080), svc("prod", "ratings", 9080), private, hidden, toWeb, mixed,
		svc("istio-system", "istiod", 15010, 15012, 443, 15014),
		svc("ext", "db", 5432),
		{Ref: inventory.Ref{Namespace: "ext", Name: "api"}, Ports: []inventory.ServicePort{{Port: 443, Protocol: "TCP"}}},
	}
}

// TestEgressHosts: each host form, read as istiod reads it.
func TestEgressHosts(t *testing.T) {
	tests := []struct {
		name, source string
		hosts        []string
		ns           string // the workload's namespace
		want         []string
	}{
		{"./* is the Sidecar's own namespace", srcListener, []string{"./*"}, "web",
			[]string{"web/api", "web/frontend"}},
		{"ns/* is every service of ns visible here", srcSelectSvc, []string{"prod/*"}, "web",
			[]string{"prod/for-web", "prod/mixed", "prod/ratings", "prod/reviews"}},
		{"*/* is every visible service", srcSelectSvc, []string{"*/*"}, "web",
			[]string{"ext/api", "ext/db", "istio-system/istiod", "prod/for-web", "prod/mixed", "prod/ratings", "prod/reviews", "web/api", "web/frontend"}},
		{"~/* imports nothing", srcReference + " (\"~\": no namespace)", []string{"~/*"}, "web", []string{}},
		{"ns/FQDN is that service only", srcSubsetOf, []string{"prod/reviews.prod.svc.cluster.local"}, "web", []string{"prod/reviews"}},
		{"*/FQDN finds it in any namespace", srcSelectSvc, []string{"*/ratings.prod.svc.cluster.local"}, "web", []string{"prod/ratings"}},
		{"left-most wildcard is a suffix match", srcSubsetOf, []string{"*/*.ext.svc.cluster.local"}, "web", []string{"ext/api", "ext/db"}},
		{"a wildcard does not match the bare suffix", srcSubsetOf, []string{"*/*.svc.cluster.local.example"}, "web", []string{}},
		{"a short name is compared literally: nothing", srcSubsetOf, []string{"prod/reviews"}, "web", []string{}},
		{"a namespace's hosts that miss fall through to */", srcSelectSvc + " (continue only after a match)", []string{"prod/ratings.prod.svc.cluster.local", "*/reviews.prod.svc.cluster.local"}, "web",
			[]string{"prod/ratings", "prod/reviews"}},
		{"several hosts add up", srcListener, []string{"./*", "istio-system/*"}, "web", []string{"istio-system/istiod", "web/api", "web/frontend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hosts []Host
			for _, h := range tt.hosts {
				host, err := ParseHost(h)
				require.NoError(t, err)
				hosts = append(hosts, host)
			}
			cfg := &Config{Sidecars: []*Sidecar{{Ref: inventory.Ref{Namespace: tt.ns, Name: "default"}, Egress: []Listener{{Hosts: hosts}}}}}
			s := cfg.ScopeIn(tt.ns, map[string]string{}, world())
			assert.Equal(t, tt.want, importedNames(s), "source: %s", tt.source)
		})
	}
}

func TestParseHost(t *testing.T) {
	// Source: srcListener (exactly one "/", else "Illegal host in sidecar
	// resource") and srcReference (dnsName an FQDN, "*" or a left-most
	// wildcard).
	for _, ok := range []string{"./*", "*/*", "~/*", "istio-system/*", "prod/*.example.com", "prod/reviews.prod.svc.cluster.local"} {
		_, err := ParseHost(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"reviews", "a/b/c", "/x", "prod/", "prod/re*views", "prod/*example.com", "pr*d/x"} {
		_, err := ParseHost(bad)
		assert.Error(t, err, bad)
	}
}

// TestSidecarSelection: which Sidecar applies, in every precedence case.
func TestSidecarSelection(t *testing.T) {
	at := func(ts string) string { return "  creationTimestamp: \"" + ts + "\"\n" }
	sidecar := func(ns, name, selector, created string) string {
		s := "---\napiVersion: networking.istio.io/v1beta1\nkind: Sidecar\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n"
		if created != "" {
			s += at(created)
		}
		s += "spec:\n"
		if selector != "" {
			s += "  workloadSelector:\n    labels: {" + selector + "}\n"
		}
		return s + "  egress:\n  - hosts: [\"./*\"]\n"
	}
	tests := []struct {
		name, source string
		config       string
		ns           string
		labels       map[string]string
		want         string // the Sidecar chosen, "" for none
		warn         string // a substring of a warning, "" for none
	}{
		{"a matching workloadSelector wins over the namespace default", srcSelect,
			sidecar("web", "default", "", "") + sidecar("web", "frontend", "app: frontend", ""), "web", map[string]string{"app": "frontend", "v": "1"}, "web/frontend", ""},
		{"a workloadSelector that does not match leaves the namespace default", srcSelect,
			sidecar("web", "default", "", "") + sidecar("web", "frontend", "app: frontend", ""), "web", map[string]string{"app": "api"}, "web/default", ""},
		{"every selector label must match", srcSelect + " (labels SubsetOf)",
			sidecar("web", "frontend", "app: frontend, tier: edge", ""), "web", map[string]string{"app": "frontend"}, "", ""},
		{"no Sidecar in the namespace: the root namespace's", srcSelect + " (meshRootSidecarConfig)",
			sidecar("istio-system", "default", "", "") + sidecar("prod", "default", "", ""), "web", map[string]string{}, "istio-system/default", ""},
		{"only a non-matching selector Sidecar: the root namespace's", srcSelect,
			sidecar("istio-system", "default", "", "") + sidecar("web", "frontend", "app: frontend", ""), "web", map[string]string{"app": "api"}, "istio-system/default", ""},
		{"a root-namespace Sidecar with a selector applies only there", srcSelect + " (root Sidecar must have no workloadSelector)",
			sidecar("istio-system", "gw", "app: frontend", ""), "web", map[string]string{"app": "frontend"}, "", ""},
		{"rootNamespace from the mesh config", srcMeshDef + "; " + srcSelect,
			"---\nmesh: |\n  rootNamespace: istio-config\n" + sidecar("istio-config", "default", "", "") + sidecar("istio-system", "default", "", ""), "web", map[string]string{}, "istio-config/default", ""},
		{"no Sidecar anywhere: none", srcSelect + " (DefaultSidecarScopeForNamespace)",
			sidecar("prod", "default", "", ""), "web", map[string]string{}, "", ""},
		{"two matching selectors: the oldest", srcSort,
			sidecar("web", "b-new", "app: frontend", "2024-05-01T00:00:00Z") + sidecar("web", "a-old", "app: frontend", "2024-01-01T00:00:00Z"), "web", map[string]string{"app": "frontend"}, "web/a-old", "web/a-old"},
		{"same creationTimestamp: by name", srcSort,
			sidecar("web", "zeta", "app: frontend", "2024-01-01T00:00:00Z") + sidecar("web", "alpha", "app: frontend", "2024-01-01T00:00:00Z"), "web", map[string]string{"app": "frontend"}, "web/alpha", "Istio leaves this undefined"},
		{"two namespace defaults: the oldest, with a warning", srcSort + "; " + srcReference + " (NOTE 1: only one)",
			sidecar("web", "default", "", "2024-05-01T00:00:00Z") + sidecar("web", "legacy", "", "2023-01-01T00:00:00Z"), "web", map[string]string{}, "web/legacy", "have no workloadSelector in namespace web"},
		{"labels unknown: selectors are not evaluated", srcSelect,
			sidecar("web", "default", "", "") + sidecar("web", "frontend", "app: frontend", ""), "web", nil, "web/default", "does not list the labels"},
		{"an empty selector selects every pod", srcSelect + " (labels SubsetOf of no labels)",
			sidecar("web", "default", "", "") + "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: all, namespace: web}\nspec:\n  workloadSelector: {labels: {}}\n", "web", map[string]string{"x": "y"}, "web/all", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, tt.config)
			ch := cfg.SidecarFor(tt.ns, tt.labels)
			got := ""
			if ch.Sidecar != nil {
				got = ch.Sidecar.Ref.String()
			}
			assert.Equal(t, tt.want, got, "source: %s; why: %s", tt.source, ch.Why)
			if tt.warn == "" {
				assert.Empty(t, ch.Warnings)
			} else {
				require.Len(t, ch.Warnings, 1)
				assert.Contains(t, ch.Warnings[0], tt.warn)
			}
		})
	}
}

// TestRootNamespaceDot: "." in a root-namespace Sidecar is the workload's
// namespace, not the root namespace.
// Source: srcListener (ns == currentNamespace → configNamespace, the
// proxy's namespace for the root Sidecar) and srcReference's istio-config
// example ("./*": "the same namespace").
func TestRootNamespaceDot(t *testing.T) {
	cfg := mustConfig(t, "apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n")
	s := cfg.ScopeIn("web", map[string]string{}, world())
	assert.Equal(t, []string{"istio-system/istiod", "web/api", "web/frontend"}, importedNames(s))
}

// TestNoEgress: a Sidecar without egress imports */*. Source: srcNoEgress.
func TestNoEgress(t *testing.T) {
	cfg := mustConfig(t, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: web}\nspec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")
	s := cfg.ScopeIn("web", map[string]string{}, world())
	assert.NotNil(t, s.Sidecar)
	all := (&Config{}).ScopeIn("web", map[string]string{}, world())
	assert.Equal(t, importedNames(all), importedNames(s))
	assert.Equal(t, RegistryOnly, s.Policy)
}

// TestExportTo: services hidden from the namespace by the exportTo
// annotation (or the mesh default) are out of every scope.
func TestExportTo(t *testing.T) {
	tests := []struct {
		name, source string
		annotation   string
		defaults     string // mesh config defaultServiceExportTo, "" for Istio's ["*"]
		ns           string
		visible      bool
	}{
		{"no annotation: everywhere", srcMeshDef, "", "", "web", true},
		{"\".\": its own namespace", srcExportTo, ".", "", "prod", true},
		{"\".\": not elsewhere", srcExportTo, ".", "", "web", false},
		{"\"~\": nowhere, not even its own namespace", srcExportTo, "~", "", "prod", false},
		{"\"*\" wins over everything", srcExportTo, "~,*", "", "web", true},
		{"a namespace list, spaces trimmed", srcExportAnn, " web , other", "", "web", true},
		{"a namespace list: not others", srcExportAnn, "web,other", "", "ops", false},
		{"a list naming its own namespace makes it private there", srcExportTo, "prod,web", "", "prod", true},
		{"defaultServiceExportTo [.] makes unannotated services private", srcExportTo, "", "[\".\"]", "web", false},
		{"defaultServiceExportTo [.] keeps them in their namespace", srcExportTo, "", "[\".\"]", "prod", true},
		{"1.30: defaultServiceExportTo of names is not honoured", src130 + " (only . and * of the default)", "", "[web]", "web", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := svc("prod", "reviews", 9080)
			if tt.annotation != "" {
				s.Annotations = map[string]string{ExportToAnnotation: tt.annotation}
			}
			cfg := &Config{}
			if tt.defaults != "" {
				cfg = mustConfig(t, "defaultServiceExportTo: "+tt.defaults+"\n")
			}
			if strings.HasPrefix(tt.name, "1.30:") {
				cfg.Version = V1_30
			}
			scope := cfg.ScopeIn(tt.ns, map[string]string{}, []*inventory.Service{s})
			assert.Equal(t, tt.visible, scope.Knows(s.Ref, 9080), "source: %s", tt.source)
		})
	}
}

// TestOutboundTrafficPolicy: the Sidecar's mode, else the mesh config's,
// else ALLOW_ANY; and what each means for a service out of scope.
func TestOutboundTrafficPolicy(t *testing.T) {
	sc := func(mode string) string {
		s := "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: web}\nspec:\n  egress: [{hosts: [\"./*\"]}]\n"
		if mode != "" {
			s += "  outboundTrafficPolicy: {mode: " + mode + "}\n"
		}
		return s
	}
	mesh := func(mode string) string { return "---\nmesh: |-\n  outboundTrafficPolicy:\n    mode: " + mode + "\n" }
	tests := []struct {
		name, source string
		config       string
		want         Policy
		path         report.Path
	}{
		{"neither: ALLOW_ANY", srcMeshDef, sc(""), AllowAny, report.ExpectPassthrough},
		{"the mesh config's", srcPolicy, sc("") + mesh("REGISTRY_ONLY"), RegistryOnly, report.ExpectBlocked},
		{"the Sidecar's over the mesh config's (ALLOW_ANY)", srcPolicy, sc("ALLOW_ANY") + mesh("REGISTRY_ONLY"), AllowAny, report.ExpectPassthrough},
		{"the Sidecar's over the mesh config's (REGISTRY_ONLY)", srcPolicy, sc("REGISTRY_ONLY") + mesh("ALLOW_ANY"), RegistryOnly, report.ExpectBlocked},
		{"the mesh config's applies without Sidecar", srcPolicy + " (DefaultSidecarScopeForNamespace)", mesh("REGISTRY_ONLY"), RegistryOnly, report.ExpectSidecarDNAT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustConfig(t, tt.config).ScopeIn("web", map[string]string{}, world())
			assert.Equal(t, tt.want, s.Policy, "source: %s (%s)", tt.source, s.PolicyFrom)
			exp, ok := s.Expect(Destination{Service: inventory.Ref{Namespace: "prod", Name: "reviews"}, Port: 9080, Proto: capture.TCP}, inventory.Present, false)
			require.True(t, ok)
			assert.Equal(t, tt.path, exp.Path, "source: %s; %s", srcBlackHole, exp.Why)
		})
	}
}

// TestExpect: the prediction for each kind of destination and client.
func TestExpect(t *testing.T) {
	cfg := mustConfig(t, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: web}\nspec:\n  egress:\n  - port: {number: 8080, protocol: HTTP, name: http}\n    hosts: [\"web/*\"]\n  - hosts: [\"istio-system/*\"]\n")
	s := cfg.ScopeIn("web", map[string]string{}, world())
	api := inventory.Ref{Namespace: "web", Name: "api"}
	tests := []struct {
		name, source string
		d            Destination
		sidecar      inventory.Presence
		want         report.Path // pathInvalid: no prediction
	}{
		{"in scope on the listener's port", srcPortMatch, Destination{Service: api, Port: 8080, Proto: capture.TCP}, inventory.Present, report.ExpectSidecarDNAT},
		{"not on another port", srcPortMatch, Destination{Service: api, Port: 80, Proto: capture.TCP}, inventory.Present, report.ExpectPassthrough},
		{"out of scope", srcSelectSvc, Destination{Service: inventory.Ref{Namespace: "prod", Name: "reviews"}, Port: 9080, Proto: capture.TCP}, inventory.Unknown, report.ExpectPassthrough},
		{"UDP is not intercepted", srcUDPCluster, Destination{Service: api, Port: 8080, Proto: capture.UDP}, inventory.Present, report.ExpectPassthrough},
		{"no sidecar: kube-proxy", srcReference, Destination{Service: api, Port: 8080, Proto: capture.TCP}, inventory.Absent, report.ExpectPassthrough},
		{"no service, ALLOW_ANY: nothing to predict", srcBlackHole, Destination{Addr: netip.MustParseAddrPort("93.184.216.34:443"), Proto: capture.TCP}, inventory.Present, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, ok := s.Expect(tt.d, tt.sidecar, false)
			if tt.want.IsZero() {
				assert.False(t, ok, exp.Why)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, exp.Path, "source: %s; %s", tt.source, exp.Why)
		})
	}
}

// TestClustersSkipUDP: kube-dns's 53/UDP gets no cluster, 53/TCP does.
// Source: srcUDPCluster; the seed's Shell 3 shows outbound|53||kube-dns.
func TestClustersSkipUDP(t *testing.T) {
	dns := &inventory.Service{Ref: inventory.Ref{Namespace: "kube-system", Name: "kube-dns"},
		Ports: []inventory.ServicePort{{Name: "dns", Port: 53, Protocol: "UDP"}, {Name: "dns-tcp", Port: 53, Protocol: "TCP"}}}
	s := (&Config{}).ScopeIn("web", nil, []*inventory.Service{dns})
	clusters := s.Clusters(&inventory.Inventory{})
	require.Len(t, clusters, 1)
	assert.Equal(t, "outbound|53||kube-dns.kube-system.svc.cluster.local", clusters[0].Name)
}
