package inventory

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	seedShell1 = "../../fixtures/bookinfo/inventory/shell1-kubectl.txt"
	seedShell3 = "../../fixtures/bookinfo/before/shell3-istioctl.txt"
	seedShell5 = "../../fixtures/bookinfo/after/shell5-istioctl.txt"
)

func loadIndex(t *testing.T, paths ...string) *Index {
	t.Helper()
	inv, err := Load(paths...)
	require.NoError(t, err)
	return inv.Index()
}

// backing is a Backing reduced to what a test states.
type backing struct {
	Service string
	Port    int // the service port; -1 when unknown
	Via     Via
	Pod     string // "" when unknown
}

func reduce(bs []Backing) []backing {
	var out []backing
	for _, b := range bs {
		r := backing{Service: b.Service.String(), Port: portOf(b.Port), Via: b.Via}
		if b.Pod != nil {
			r.Pod = b.Pod.Ref.String()
		}
		out = append(out, r)
	}
	return out
}

func TestBackends(t *testing.T) {
	const (
		frontend = "web/frontend-6b8f7c9d4-abcde"
		reviews3 = "bookinfo/reviews-v3-f68f94645-bmzrn"
	)
	tests := []struct {
		name  string
		paths []string
		addr  string
		port  uint16
		proto string
		want  []backing
	}{
		{"seed: the sidecar's registry knows reviews-v3", []string{seedShell1, seedShell3}, "10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaIstioctl, reviews3}}},
		{"seed: shell 1 alone guesses from the pod name", []string{seedShell1}, "10.244.2.32", 9080, "TCP",
			[]backing{{"bookinfo/reviews", 9080, ViaPodName, reviews3}}},
		{"seed: productpage by pod name", []string{seedShell1}, "10.244.1.32", 9080, "",
			[]backing{{"bookinfo/productpage", 9080, ViaPodName, "bookinfo/productpage-v1-dffc47f64-qw4bk"}}},
		{"seed: after the Sidecar object the registry lacks bookinfo", []string{seedShell1, seedShell5}, "10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaPodName, reviews3}}},
		{"selector unknown too: the service's name stands for it", []string{"testdata/pods-all-namespaces.txt", "testdata/services-not-wide.txt"}, "10.244.1.31", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaPodName, "bookinfo/reviews-v2-65cb66b45c-dtwjd"}}},
		{"seed: my-shell backs nothing", []string{seedShell1, seedShell3}, "10.244.2.34", 9080, "", nil},
		{"seed: wrong port", []string{seedShell1}, "10.244.2.32", 9081, "", nil},
		{"seed: UDP is not what the cluster serves", []string{seedShell1, seedShell3}, "10.244.2.32", 9080, "UDP", nil},
		{"seed: a ClusterIP backs nothing", []string{seedShell1, seedShell3}, "10.96.209.151", 9080, "", nil},
		{"istioctl cluster of a service the inventory lacks", []string{seedShell3}, "10.244.1.2", 15017, "",
			[]backing{{"istio-system/istiod", 443, ViaIstioctl, ""}}},
		{"named targetPort resolved by the EndpointSlice", []string{"testdata/services.json", "testdata/endpointslices.json"}, "10.244.3.5", 8080, "",
			[]backing{{"web/frontend", 80, ViaEndpointSlice, ""}}},
		{"EndpointSlice with the pod loaded", []string{"testdata/services.json", "testdata/endpointslices.json", "testdata/pods.json"}, "10.244.3.5", 8443, "",
			[]backing{{"web/frontend", 443, ViaEndpointSlice, frontend}}},
		{"EndpointSlice IPv6 address", []string{"testdata/services.json", "testdata/endpointslices.json"}, "fd00:10:244::5", 8080, "",
			[]backing{{"web/frontend", 80, ViaEndpointSlice, ""}}},
		{"named targetPort resolved by the container ports", []string{"testdata/services.json", "testdata/pods.json"}, "10.244.3.5", 8080, "",
			[]backing{{"web/frontend", 80, ViaSelector, frontend}}},
		{"named targetPort, container ports, IPv6", []string{"testdata/services.json", "testdata/pods.json"}, "fd00:10:244::5", 8443, "",
			[]backing{{"web/frontend", 443, ViaSelector, frontend}}},
		{"named targetPort resolved for a portless pod by the slices of its service",
			[]string{"testdata/services.json", "testdata/endpointslices.json", "testdata/frontend-new-pod.txt"}, "10.244.3.7", 8080, "",
			[]backing{{"web/frontend", 80, ViaSelector, "web/frontend-6b8f7c9d4-klmno"}}},
		{"named targetPort does not match another port", []string{"testdata/services.json", "testdata/pods.json"}, "10.244.3.5", 80, "", nil},
		{"selector and numeric targetPort", []string{"testdata/services.json", "testdata/pods.json"}, "10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaSelector, reviews3}, {"bookinfo/reviews-headless", 9080, ViaSelector, reviews3}}},
		{"Endpoints object, port by name", []string{"testdata/services.json", "testdata/endpoints.json"}, "10.244.2.31", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaEndpoints, ""}}},
		{"EndpointSlice and Endpoints: the slice wins", []string{"testdata/endpoints.json", "testdata/endpointslices.txt"}, "10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", -1, ViaEndpointSlice, ""}}},
		{"kube-dns over UDP", []string{"testdata/services.json", "testdata/endpointslices.json"}, "10.244.0.3", 53, "udp",
			[]backing{{"kube-system/kube-dns", 53, ViaEndpointSlice, ""}}},
		{"kube-dns over TCP", []string{"testdata/services.json", "testdata/endpointslices.json"}, "10.244.0.3", 9153, "",
			[]backing{{"kube-system/kube-dns", 9153, ViaEndpointSlice, ""}}},
		{"text endpoints match any protocol", []string{"testdata/endpoints.txt"}, "10.244.0.4", 53, "UDP",
			[]backing{{"bookinfo/kube-dns", -1, ViaEndpoints, ""}}},
		{"labels known but empty: no selector matches", []string{"testdata/pods-show-labels.txt", "testdata/services-all-namespaces.txt"}, "10.244.2.40", 9080, "", nil},
		{"labels known: selector, not pod name", []string{"testdata/pods-show-labels.txt", seedShell1}, "10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaSelector, reviews3}}},
		{"IPv4-mapped address", []string{seedShell1, seedShell3}, "::ffff:10.244.2.32", 9080, "",
			[]backing{{"bookinfo/reviews", 9080, ViaIstioctl, reviews3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := loadIndex(t, tt.paths...)
			got := reduce(x.Backends(netip.MustParseAddr(tt.addr), tt.port, transportOf(tt.proto)))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestServiceAt(t *testing.T) {
	paths := []string{seedShell1, "testdata/services-all-namespaces.txt", "testdata/nodes-wide.txt", "testdata/services.json"}
	tests := []struct {
		name     string
		addr     string
		port     uint16
		proto    string
		wantSvc  string // "" for none
		wantPort int    // -1 for none
	}{
		{"seed reviews ClusterIP", "10.96.209.151", 9080, "", "bookinfo/reviews", 9080},
		{"ClusterIP on a port the service lacks", "10.96.209.151", 80, "", "bookinfo/reviews", -1},
		{"a pod IP is no service", "10.244.2.32", 9080, "", "", -1},
		{"kube-dns over UDP", "10.96.0.10", 53, "UDP", "kube-system/kube-dns", 53},
		{"load balancer ingress IP", "172.18.255.200", 443, "", "istio-system/istio-ingressgateway", 443},
		{"external IP from JSON", "203.0.113.10", 80, "", "web/frontend", 80},
		{"second ClusterIP, IPv6", "fd00:10:96::50:5", 443, "tcp", "web/frontend", 443},
		{"NodePort on a node address", "172.18.0.2", 30080, "", "istio-system/istio-ingressgateway", 80},
		{"a node address on another port", "172.18.0.2", 8080, "", "", -1},
	}
	x := loadIndex(t, paths...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, port := x.ServiceAt(netip.MustParseAddr(tt.addr), tt.port, transportOf(tt.proto))
			gotSvc := ""
			if svc != nil {
				gotSvc = svc.Ref.String()
			}
			assert.Equal(t, tt.wantSvc, gotSvc)
			assert.Equal(t, tt.wantPort, portOf(port))
		})
	}
}

func TestOwner(t *testing.T) {
	x := loadIndex(t, seedShell1, "testdata/pods-all-namespaces.txt", "testdata/nodes-wide.txt", "testdata/services-all-namespaces.txt")
	tests := []struct {
		name string
		addr string
		kind OwnerKind
		want string
	}{
		{"seed reviews ClusterIP", "10.96.209.151", OwnerService, "bookinfo/reviews"},
		{"seed reviews-v3 pod", "10.244.2.32", OwnerPod, "bookinfo/reviews-v3-f68f94645-bmzrn"},
		{"a running pod beats a completed one", "10.244.2.31", OwnerPod, "bookinfo/reviews-v1-5c4d6d447c-qwmbv"},
		{"a node beats its host-network pods", "172.18.0.3", OwnerNode, "kind-control-plane"},
		{"a node's external address", "198.51.100.7", OwnerNode, "kind-worker2"},
		{"load balancer IP", "172.18.255.200", OwnerService, "istio-system/istio-ingressgateway"},
		{"unknown", "192.0.2.1", OwnerNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := x.Owner(netip.MustParseAddr(tt.addr))
			assert.Equal(t, tt.kind, o.Kind)
			assert.Equal(t, tt.want, ownerName(o))
		})
	}
}

func ownerName(o Owner) string {
	switch o.Kind {
	case OwnerPod:
		return o.Pod.Ref.String()
	case OwnerService:
		return o.Service.Ref.String()
	case OwnerNode:
		return o.Node.Name
	}
	return ""
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		name      string
		paths     []string
		addr      string
		wantOwner string
		warnings  []string
	}{
		{
			name:      "a completed pod kept the IP a running pod has now",
			paths:     []string{"testdata/pods-all-namespaces.txt", "testdata/nodes-wide.txt"},
			addr:      "10.244.2.31",
			wantOwner: "bookinfo/reviews-v1-5c4d6d447c-qwmbv",
			warnings: []string{
				"10.244.2.31 is claimed by pod bookinfo/reviews-v1-5c4d6d447c-qwmbv (testdata/pods-all-namespaces.txt:3) and " +
					"pod batch/report-28433120-x2vqm (testdata/pods-all-namespaces.txt:6); " +
					"using pod bookinfo/reviews-v1-5c4d6d447c-qwmbv: a live pod comes before a finished pod",
			},
		},
		{
			name:      "same order whatever the file order",
			paths:     []string{"testdata/nodes-wide.txt", "testdata/conflicts.txt", "testdata/pods-all-namespaces.txt"},
			addr:      "10.244.2.31",
			wantOwner: "bookinfo/reviews-v1-5c4d6d447c-qwmbv",
			warnings: []string{
				"10.244.1.29 is claimed by pod bookinfo/details-v1-79dfbd6fff-l876n (testdata/pods-all-namespaces.txt:2) and " +
					"service bookinfo/ghost (testdata/conflicts.txt:3); " +
					"using pod bookinfo/details-v1-79dfbd6fff-l876n: a live pod comes before a ClusterIP",
				"10.244.2.31 is claimed by pod bookinfo/reviews-v1-5c4d6d447c-qwmbv (testdata/pods-all-namespaces.txt:3) and " +
					"pod batch/report-28433120-x2vqm (testdata/pods-all-namespaces.txt:6); " +
					"using pod bookinfo/reviews-v1-5c4d6d447c-qwmbv: a live pod comes before a finished pod",
				"10.244.9.9 is claimed by pod a/twin (testdata/conflicts.txt:9) and pod b/twin (testdata/conflicts.txt:10); " +
					"using pod a/twin: first by namespace/name",
			},
		},
		{
			name:      "host-network pods and a JSON hostNetwork pod are no conflict",
			paths:     []string{"testdata/pods.json", "testdata/nodes.json", "testdata/pods-all-namespaces.txt"},
			addr:      "172.18.0.3",
			wantOwner: "kind-control-plane",
			warnings: []string{
				"10.244.2.31 is claimed by pod bookinfo/reviews-v1-5c4d6d447c-qwmbv (testdata/pods-all-namespaces.txt:3) and " +
					"pod batch/report-28433120-x2vqm (testdata/pods.json:131); " +
					"using pod bookinfo/reviews-v1-5c4d6d447c-qwmbv: a live pod comes before a finished pod",
			},
		},
		{
			name:      "without nodes, a host-network pod owns its IP",
			paths:     []string{"testdata/pods.json"},
			addr:      "172.18.0.3",
			wantOwner: "kube-system/kube-proxy-2xk8w",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := loadIndex(t, tt.paths...)
			assert.Equal(t, tt.wantOwner, ownerName(x.Owner(netip.MustParseAddr(tt.addr))))
			var got []string
			for _, w := range x.Warnings() {
				if len(w) > 0 && w[0] >= '0' && w[0] <= '9' {
					got = append(got, w)
				}
			}
			assert.Equal(t, tt.warnings, got)
		})
	}
}

func TestPodAndRegistry(t *testing.T) {
	x := loadIndex(t, seedShell1, seedShell3, "testdata/transcript.txt", "testdata/conflicts.txt")
	pods := []struct {
		ref  Ref
		want string
	}{
		{Ref{"default", "my-shell"}, "default/my-shell"},
		{Ref{"", "my-shell"}, "default/my-shell"},
		{Ref{"bookinfo", "my-shell"}, ""},
		{Ref{"", "twin"}, ""}, // in two namespaces: ambiguous
		{Ref{"b", "twin"}, "b/twin"},
		{Ref{"", "nobody"}, ""},
	}
	for _, tt := range pods {
		got := ""
		if p := x.Pod(tt.ref); p != nil {
			got = p.Ref.String()
		}
		assert.Equal(t, tt.want, got, "Pod(%v)", tt.ref)
	}
	registries := []struct {
		proxy Ref
		want  string // the registry's position
	}{
		{Ref{"default", "my-shell"}, seedShell3 + ":2"},
		{Ref{"", "my-shell"}, seedShell3 + ":2"},
		{Ref{"bookinfo", "my-shell"}, seedShell3 + ":2"}, // shell 3 does not say the namespace
		{Ref{"default", "productpage"}, ""},
		{Ref{}, ""},
	}
	for _, tt := range registries {
		got := ""
		if r := x.Registry(tt.proxy); r != nil {
			got = r.From.String()
		}
		assert.Equal(t, tt.want, got, "Registry(%v)", tt.proxy)
	}
	assert.Contains(t, x.Warnings(), "two istioctl listings for proxy default/my-shell ("+
		"testdata/transcript.txt:26 and testdata/conflicts.txt:13); using the first")
}

func TestRegistryNamespaced(t *testing.T) {
	x := loadIndex(t, "testdata/transcript.txt")
	assert.NotNil(t, x.Registry(Ref{"default", "my-shell"}))
	assert.Nil(t, x.Registry(Ref{"bookinfo", "my-shell"}), "the transcript says my-shell.default")
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, "invalid", Via(0).String())
	assert.Equal(t, "pod-name", ViaPodName.String())
	assert.Equal(t, "endpointslice", ViaEndpointSlice.String())
	assert.Equal(t, "none", OwnerNone.String())
	assert.Equal(t, "node", OwnerNode.String())
	assert.Equal(t, "invalid", OwnerKind(9).String())
}

// TestIndexConcurrent reads one Index from many goroutines; run with -race.
func TestIndexConcurrent(t *testing.T) {
	x := loadIndex(t, seedShell1, seedShell3, "testdata/services.json", "testdata/endpointslices.json", "testdata/pods.json")
	done := make(chan []Backing)
	for range 8 {
		go func() {
			var last []Backing
			for range 100 {
				last = x.Backends(netip.MustParseAddr("10.244.2.32"), 9080, capture.TCP)
				x.Owner(netip.MustParseAddr("10.96.209.151"))
				x.ServiceAt(netip.MustParseAddr("10.96.209.151"), 9080, capture.TCP)
			}
			done <- last
		}()
	}
	for range 8 {
		assert.Len(t, <-done, 1)
	}
}

// TestLookupsDoNotAllocate: Owner and ServiceAt run per packet in the
// verdict logic.
func TestLookupsDoNotAllocate(t *testing.T) {
	x := loadIndex(t, seedShell1, seedShell3)
	pod, svc := netip.MustParseAddr("10.244.2.32"), netip.MustParseAddr("10.96.209.151")
	allocs := testing.AllocsPerRun(100, func() {
		x.Owner(pod)
		x.ServiceAt(svc, 9080, capture.TCP)
		x.ServiceAt(svc, 9080, capture.TCP)
		x.Pod(Ref{"", "my-shell"})
	})
	assert.Zero(t, allocs)
}

// TestSelectingMatchesEveryService holds the selector index (selectorsBy)
// to its definition: a Service selects a pod when it has a selector, shares
// the pod's namespace (or either does not say) and every pair of its
// selector is a label of the pod, checked against every Service in turn,
// as bySelector did before the index. Random inventories: few keys and
// values, so that selectors overlap, nest and miss.
func TestSelectingMatchesEveryService(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	keys, values, namespaces := []string{"app", "version", "tier", "k8s-app"}, []string{"a", "b", "c"}, []string{"", "default", "bookinfo"}
	labels := func(most int) map[string]string {
		m := map[string]string{}
		for range r.IntN(most + 1) {
			m[keys[r.IntN(len(keys))]] = values[r.IntN(len(values))]
		}
		return m
	}
	for round := range 200 {
		inv := &Inventory{}
		for i := range 1 + r.IntN(30) {
			s := &Service{Ref: Ref{Namespace: namespaces[r.IntN(len(namespaces))], Name: fmt.Sprintf("svc-%d", i)}}
			switch r.IntN(5) {
			case 0: // the source does not say
			case 1:
				s.Selector = map[string]string{} // "<none>"
			default:
				s.Selector = labels(3)
			}
			inv.Services = append(inv.Services, s)
		}
		var pods []*Pod
		for i := range 1 + r.IntN(20) {
			p := &Pod{Ref: Ref{Namespace: namespaces[r.IntN(len(namespaces))], Name: fmt.Sprintf("pod-%d", i)}, Labels: labels(4)}
			if r.IntN(6) == 0 {
				p.Labels = nil
			}
			pods = append(pods, p)
		}
		inv.Pods = pods
		x := inv.Index()
		for _, pod := range pods {
			var want []*Service
			for _, s := range x.services {
				if len(s.Selector) > 0 && sameNamespace(s.Namespace, pod.Namespace) && selects(s.Selector, pod.Labels) {
					want = append(want, s)
				}
			}
			require.Equal(t, want, x.selecting(pod), "round %d, pod %v labels %v", round, pod.Ref, pod.Labels)
		}
	}
}
