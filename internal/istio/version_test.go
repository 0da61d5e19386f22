package istio

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// The release-1.31 sources of the version-specific rules (istio.io/istio
// v0.0.0-20260827124520-eed52ebb66ad); the fixtures/istio-oracle scenarios
// named in each row record istiod's answer for both versions.
const (
	src131Tilde   = "istio/istio@eed52ebb66ad pilot/pkg/model/sidecar.go convertIstioListenerToWrapper (excludePrefix) and IstioEgressListenerWrapper.selectServices (hostClassification.Excluded)"
	src131Export  = "istio/istio@eed52ebb66ad pilot/pkg/model/push_context.go serviceExportTo and initServiceRegistry (the mesh default read like an annotation)"
	src131Empty   = "istio/istio@eed52ebb66ad pkg/config/mesh ApplyMeshConfigDefaults (proto: [] is unset) and push_context.go initDefaultExportMaps"
	src131Port    = "istio/istio@eed52ebb66ad pilot/pkg/model/sidecar.go serviceMatchingListenerPort (first port of the number) and SidecarScope.addService (merge by number)"
	src131ExtName = "istio/istio@eed52ebb66ad pilot/pkg/serviceregistry/kube/conversion.go ConvertService (Alias) and pilot/pkg/networking/core/cluster.go buildOutboundClusters (skips Alias)"
)

// versionWorld is the oracle's small cluster: bookinfo, default and
// istio-system, one service each, and kube-dns.
func versionWorld() []*inventory.Service {
	dns := &inventory.Service{Ref: inventory.Ref{Namespace: "kube-system", Name: "kube-dns"},
		Ports: []inventory.ServicePort{{Name: "dns", Port: 53, Protocol: "UDP"}, {Name: "dns-tcp", Port: 53, Protocol: "TCP"}, {Name: "metrics", Port: 9153, Protocol: "TCP"}}}
	return []*inventory.Service{svc("bookinfo", "reviews", 9080), svc("default", "web", 80), svc("istio-system", "istiod", 15010), dns}
}

// TestVersionRules: the rules that differ between Istio 1.30 and 1.31, and
// those fixed in both, each row as the oracle recorded istiod's answer.
func TestVersionRules(t *testing.T) {
	sidecar := func(hosts string, port int) string {
		s := "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\nspec:\n  egress:\n  - hosts: " + hosts + "\n"
		if port != 0 {
			s += "    port: {number: " + strconv.Itoa(port) + ", protocol: TCP, name: p}\n"
		}
		return s
	}
	mesh := func(list string) string { return "defaultServiceExportTo: " + list + "\n" }
	all := []string{"bookinfo/reviews", "default/web", "istio-system/istiod", "kube-system/kube-dns"}
	tests := []struct {
		name, source, scenario string
		version                Version
		config                 string
		want                   []string
	}{
		{"1.31: ~bookinfo/* excludes bookinfo", src131Tilde, "c1-tilde-bookinfo", V1_31, sidecar(`["*/*", "~bookinfo/*"]`, 0),
			[]string{"default/web", "istio-system/istiod", "kube-system/kube-dns"}},
		{"1.30: ~bookinfo/* is a namespace named ~bookinfo", src130, "c1-tilde-bookinfo", V1_30, sidecar(`["*/*", "~bookinfo/*"]`, 0), all},
		{"1.31: ~/* excludes every namespace", src131Tilde, "c1-dot-tilde-star", V1_31, sidecar(`["./*", "~/*"]`, 0), []string{}},
		{"1.30: ~/* imports and excludes nothing", src130, "c1-dot-tilde-star", V1_30, sidecar(`["./*", "~/*"]`, 0), []string{"default/web"}},
		{"1.31: ~./* excludes the workload's own namespace", src131Tilde + " (~ cut before . is replaced)", "", V1_31, sidecar(`["*/*", "~./*"]`, 0),
			[]string{"bookinfo/reviews", "istio-system/istiod", "kube-system/kube-dns"}},
		{"1.31: defaultServiceExportTo [., *]: any * is public", src131Export, "c2-mesh-export-dot-star", V1_31, mesh(`[".", "*"]`), all},
		{"1.30: defaultServiceExportTo [., *]: . wins", src130, "c2-mesh-export-dot-star", V1_30, mesh(`[".", "*"]`), []string{"default/web"}},
		{"1.31: defaultServiceExportTo [bookinfo]: exported to bookinfo only", src131Export, "c3-mesh-export-bookinfo", V1_31, mesh(`[bookinfo]`), []string{}},
		{"1.31: defaultServiceExportTo [., default]: private, and exported to default", src131Export, "c3-mesh-export-dot-default", V1_31, mesh(`[".", default]`), all},
		{"1.30: defaultServiceExportTo [., default]: private only", src130, "c3-mesh-export-dot-default", V1_30, mesh(`[".", default]`), []string{"default/web"}},
		{"1.31: defaultServiceExportTo [] is unset", src131Empty, "c4-mesh-export-empty", V1_31, mesh(`[]`), all},
		{"1.30: defaultServiceExportTo [] is unset", src131Empty + "; the same in " + src130, "c4-mesh-export-empty", V1_30, mesh(`[]`), all},
		{"{} is a mesh config of defaults", src131Empty, "mesh-empty", V1_31, "{}\n", all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := configOfMesh(t, tt.config)
			require.NoError(t, err, "source: %s", tt.source)
			cfg.Version = tt.version
			got := importedNames(cfg.ScopeIn("default", map[string]string{}, versionWorld()))
			assert.Equal(t, tt.want, got, "imports; source %s, oracle scenario %s", tt.source, tt.scenario)
		})
	}
}

// TestVersionClusters: the cluster rules fixed in both versions: one
// number for UDP and TCP under a listener port, and ExternalName services.
func TestVersionClusters(t *testing.T) {
	dns := func(first, second string) *inventory.Service {
		return &inventory.Service{Ref: inventory.Ref{Namespace: "kube-system", Name: "kube-dns"},
			Ports: []inventory.ServicePort{{Name: "a", Port: 53, Protocol: first}, {Name: "b", Port: 53, Protocol: second}}}
	}
	ext := svc("default", "ext", 443)
	ext.Type = "ExternalName"
	listener := "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\nspec:\n  egress:\n  - hosts: [\"*/*\"]\n    port: {number: 53, protocol: TCP, name: dns}\n"
	dns53 := []string{"outbound|53||kube-dns.kube-system.svc.cluster.local"}
	tests := []struct {
		name, source, scenario string
		config                 string
		svc                    *inventory.Service
		want                   []string
	}{
		{"listener port 53, UDP listed first: no cluster", src131Port, "c5-dns-udp-first-port53-tcp", listener, dns("UDP", "TCP"), []string{}},
		{"listener port 53, TCP listed first: one", src131Port, "c5-dns-tcp-first-port53-tcp", listener, dns("TCP", "UDP"), dns53},
		{"no listener port, UDP listed first: one", srcUDPCluster, "c5-dns-udp-first-noport", "", dns("UDP", "TCP"), dns53},
		{"ExternalName without Sidecar: no cluster", src131ExtName, "c6-externalname", "", ext, []string{}},
		{"ExternalName with a listener port: no cluster", src131ExtName, "c6-externalname-sidecar", listener, ext, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{}
			if tt.config != "" {
				cfg = mustConfig(t, tt.config)
			}
			got := []string{}
			s := cfg.ScopeIn("default", map[string]string{}, []*inventory.Service{tt.svc})
			for _, c := range s.Clusters(&inventory.Inventory{}) {
				got = append(got, c.Name)
			}
			assert.Equal(t, tt.want, got, "clusters; source %s, oracle scenario %s", tt.source, tt.scenario)
			// A TCP connection to kube-dns:53 is expected through the
			// sidecar only where there is a cluster for it. (No flow goes
			// to an ExternalName service's address: it has none.)
			if tt.svc.Type != "ExternalName" {
				assert.Equal(t, len(tt.want) > 0, s.Knows(tt.svc.Ref, 53), "Knows %s port 53", tt.svc.Ref)
			}
		})
	}
}

// TestParseVersion: flag values and image tags.
func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		err  bool
	}{
		{"1.31", V1_31, false},
		{"1.30.2", V1_30, false},
		{"v1.31.0", V1_31, false},
		{"1.31.0-distroless", V1_31, false},
		{"latest", Version{}, true},
		{"1", Version{}, true},
		{"0.9", Version{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("ParseVersion(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("ParseVersion(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// configOfMesh reads text as --mesh-config does.
func configOfMesh(t *testing.T, text string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mesh.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	c := &Config{}
	return c, c.LoadMesh(path)
}

// TestVersionFromInventory: istiod's pilot image decides, else a proxy's;
// tags that are no version are passed over.
func TestVersionFromInventory(t *testing.T) {
	pod := func(ns, name string, images ...inventory.ContainerImage) *inventory.Pod {
		return &inventory.Pod{Ref: inventory.Ref{Namespace: ns, Name: name}, Images: images}
	}
	proxy := func(tag string) inventory.ContainerImage {
		return inventory.ContainerImage{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:" + tag}
	}
	pilot := func(tag string) inventory.ContainerImage {
		return inventory.ContainerImage{Name: "discovery", Image: "docker.io/istio/pilot:" + tag}
	}
	tests := []struct {
		name     string
		pods     []*inventory.Pod
		want     Version
		fromPart string
		warn     bool
	}{
		{"no images: the newest known", nil, Latest, "newest", false},
		{"a proxy's tag", []*inventory.Pod{pod("default", "a", proxy("1.30.2"))}, V1_30, "proxyv2:1.30.2", false},
		{"istiod's tag over the proxies'", []*inventory.Pod{pod("default", "a", proxy("1.30.2")), pod("istio-system", "istiod-1", pilot("1.31.0"))}, V1_31, "pilot:1.31.0", true},
		{"latest is no version", []*inventory.Pod{pod("default", "a", proxy("latest"))}, Latest, "newest", false},
		{"a registry with a port", []*inventory.Pod{pod("default", "a", inventory.ContainerImage{Name: "istio-proxy", Image: "reg:5000/istio/proxyv2:1.30.0"})}, V1_30, "reg:5000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{}
			cfg.SetVersionFromInventory(&inventory.Inventory{Pods: tt.pods})
			v, from := cfg.Istio()
			assert.Equal(t, tt.want, v)
			assert.Contains(t, from, tt.fromPart)
			assert.Equal(t, tt.warn, len(cfg.Warnings) > 0, "warnings %v", cfg.Warnings)
		})
	}
}

// TestVersionExplained: a prediction that hangs on a version-specific rule
// names the rule and the release.
func TestVersionExplained(t *testing.T) {
	reviews := inventory.Ref{Namespace: "bookinfo", Name: "reviews"}
	tests := []struct {
		name, config, source string
		version              Version
		want                 string
	}{
		{"~ exclusion", "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\nspec:\n  egress:\n  - hosts: [\"*/*\", \"~bookinfo/*\"]\n",
			src131Tilde, V1_31, "Istio 1.31: a leading ~"},
		{"defaultServiceExportTo, 1.31", "defaultServiceExportTo: [\"istio-system\"]\n", src131Export, V1_31, "Istio 1.31: the default is read like the annotation"},
		{"defaultServiceExportTo, 1.30", "defaultServiceExportTo: [\".\", \"default\"]\n", src130, V1_30, "Istio 1.30: before 1.31 any ."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, tt.config)
			cfg.Version = tt.version
			s := cfg.ScopeIn("default", map[string]string{}, versionWorld())
			exp, ok := s.Expect(Destination{Service: reviews, Port: 9080, Proto: capture.TCP}, inventory.Present, false)
			require.True(t, ok)
			assert.Contains(t, exp.Why, tt.want, "source: %s", tt.source)
		})
	}
}
