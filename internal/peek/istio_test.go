package peek

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// What Istio's sidecar puts in a ClientHello, from istio/istio:
//
//   - pilot/pkg/model/service.go, BuildDNSSrvSubsetKey: the SNI is
//     string(direction) + "_." + strconv.Itoa(port) + "_." + subsetName + "_." + string(hostname),
//     "the default SNI string for Istio mTLS connections". ParseSubsetKey reads
//     it back by cutting at the first three "_." and rejects a host that still
//     holds one; IsDNSSrvSubsetKey accepts the prefixes "outbound_" and
//     "inbound_".
//   - pilot/pkg/networking/core/cluster_builder.go: a service's cluster gets
//     istioMtlsSni = model.BuildDNSSrvSubsetKey(model.TrafficDirectionOutbound, "", service.Hostname, port.Port),
//     and a DestinationRule subset's cluster the same with subset.Name; inbound
//     clusters get istioMtlsSni "". So a client sidecar always sends
//     "outbound_", never "inbound_".
//   - pilot/pkg/networking/util/util.go: ALPNInMesh = {"istio"},
//     ALPNInMeshWithMxc = {"istio-peer-exchange", "istio"} (TCP with metadata
//     exchange), ALPNInMeshH2WithMxc = {"istio-peer-exchange", "istio", "h2"}.
//   - pilot/pkg/xds/filters/filters.go, the istio.alpn filter's overrides for
//     HTTP: mtlsHTTP10ALPN = {"istio-http/1.0", "istio", "http/1.0"},
//     mtlsHTTP11ALPN = {"istio-http/1.1", "istio", "http/1.1"},
//     mtlsHTTP2ALPN = {"istio-h2", "istio", "h2"}.
const (
	istioSNIReviews   = "outbound_.9080_._.reviews.bookinfo.svc.cluster.local"
	istioSNIReviewsV1 = "outbound_.9080_.v1_.reviews.bookinfo.svc.cluster.local"
)

var (
	istioTCPALPN    = []string{"istio-peer-exchange", "istio"}
	istioHTTP11ALPN = []string{"istio-http/1.1", "istio", "http/1.1"}
	istioH2ALPN     = []string{"istio-h2", "istio", "h2"}
)

func TestParseIstioSNI(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IstioSNI
		ok   bool
	}{
		{"service, no subset", istioSNIReviews,
			IstioSNI{Direction: "outbound", Port: 9080, Host: "reviews.bookinfo.svc.cluster.local"}, true},
		{"subset v1", istioSNIReviewsV1,
			IstioSNI{Direction: "outbound", Port: 9080, Subset: "v1", Host: "reviews.bookinfo.svc.cluster.local"}, true},
		{"inbound, which Istio's parser accepts", "inbound_.9080_._.reviews.bookinfo.svc.cluster.local",
			IstioSNI{Direction: "inbound", Port: 9080, Host: "reviews.bookinfo.svc.cluster.local"}, true},
		{"another cluster domain", "outbound_.80_._.productpage.bookinfo.svc.corp.example",
			IstioSNI{Direction: "outbound", Port: 80, Host: "productpage.bookinfo.svc.corp.example"}, true},
		{"ServiceEntry host", "outbound_.443_._.api.example.com",
			IstioSNI{Direction: "outbound", Port: 443, Host: "api.example.com"}, true},
		{"port 65535", "outbound_.65535_._.a", IstioSNI{Direction: "outbound", Port: 65535, Host: "a"}, true},
		{"subset holding a lone underscore", "outbound_.9080_.v_1_.reviews.bookinfo.svc.cluster.local",
			IstioSNI{Direction: "outbound", Port: 9080, Subset: "v_1", Host: "reviews.bookinfo.svc.cluster.local"}, true},

		{"plain host name", "reviews.bookinfo.svc.cluster.local", IstioSNI{}, false},
		{"cluster name with pipes, not an SNI", "outbound|9080||reviews.bookinfo.svc.cluster.local", IstioSNI{}, false},
		{"subset field missing", "outbound_.9080_.reviews.bookinfo.svc.cluster.local", IstioSNI{}, false},
		{"empty host", "outbound_.9080_._.", IstioSNI{}, false},
		{"host holding the separator", "outbound_.9080_._.a_.b", IstioSNI{}, false},
		{"upper-case direction", "Outbound_.9080_._.a", IstioSNI{}, false},
		{"inbound-vip is a cluster direction, not an SNI one", "inbound-vip_.9080_._.a", IstioSNI{}, false},
		{"port 0", "outbound_.0_._.a", IstioSNI{}, false},
		{"port 65536", "outbound_.65536_._.a", IstioSNI{}, false},
		{"port with leading zero", "outbound_.09080_._.a", IstioSNI{}, false},
		{"port with sign", "outbound_.+80_._.a", IstioSNI{}, false},
		{"negative port", "outbound_.-1_._.a", IstioSNI{}, false},
		{"port not a number", "outbound_.http_._.a", IstioSNI{}, false},
		{"empty port", "outbound_._._.a", IstioSNI{}, false},
		{"empty", "", IstioSNI{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseIstioSNI(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.ok, ok, "ok")
			if ok {
				assert.Equal(t, tc.in, got.String(), "String must give back the SNI")
			}
		})
	}
}

func TestServiceOf(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		wantNamespace string
		wantName      string
		ok            bool
	}{
		{"cluster.local", "reviews.bookinfo.svc.cluster.local", "bookinfo", "reviews", true},
		{"another cluster domain", "productpage.bookinfo.svc.corp.example", "bookinfo", "productpage", true},
		{"one-label domain", "ratings.default.svc.k8s", "default", "ratings", true},
		{"trailing dot", "reviews.bookinfo.svc.cluster.local.", "bookinfo", "reviews", true},
		{"digits and hyphens", "my-svc-2.team-a.svc.cluster.local", "team-a", "my-svc-2", true},

		{"no domain", "reviews.bookinfo.svc", "", "", false},
		{"no domain, trailing dot", "reviews.bookinfo.svc.", "", "", false},
		{"short name", "reviews", "", "", false},
		{"name and namespace only", "reviews.bookinfo", "", "", false},
		{"with port", "reviews.bookinfo.svc.cluster.local:9080", "", "", false},
		{"no svc label", "reviews.bookinfo.cluster.local", "", "", false},
		{"pod A record", "10-244-1-7.bookinfo.pod.cluster.local", "", "", false},
		{"headless service pod", "reviews-v1-0.reviews.bookinfo.svc.cluster.local", "", "", false},
		{"upper case", "Reviews.bookinfo.svc.cluster.local", "", "", false},
		{"empty label", "reviews..svc.cluster.local", "", "", false},
		{"empty domain label", "reviews.bookinfo.svc.cluster..local", "", "", false},
		{"label starting with a hyphen", "-reviews.bookinfo.svc.cluster.local", "", "", false},
		{"label of 64 bytes", "a123456789012345678901234567890123456789012345678901234567890123.ns.svc.cluster.local", "", "", false},
		{"Istio SNI, not a host", istioSNIReviews, "", "", false},
		{"empty", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			namespace, name, ok := ServiceOf(tc.in)
			assert.Equal(t, tc.wantNamespace, namespace, "namespace")
			assert.Equal(t, tc.wantName, name, "name")
			assert.Equal(t, tc.ok, ok, "ok")
		})
	}
}

func TestIsIstioALPN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"istio-peer-exchange", true},
		{"istio", true},
		{"istio-http/1.0", true},
		{"istio-http/1.1", true},
		{"istio-h2", true},
		{"h2", false},
		{"http/1.1", false},
		{"http/1.0", false},
		{"ISTIO", false},
		{"istio-http/2", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, IsIstioALPN(tc.in))
		})
	}
}

func TestIstioAllocs(t *testing.T) {
	assert.Zero(t, testing.AllocsPerRun(100, func() { ParseIstioSNI(istioSNIReviewsV1) }), "ParseIstioSNI")
	assert.Zero(t, testing.AllocsPerRun(100, func() { ServiceOf("reviews.bookinfo.svc.cluster.local") }), "ServiceOf")
	assert.Zero(t, testing.AllocsPerRun(100, func() { IsIstioALPN("istio-peer-exchange") }), "IsIstioALPN")
}
