package inventory

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// formAnswers is what the engine asks an index, for a fixed set of
// addresses, written so that answers read from different forms of the
// same objects can be compared. Via is kept apart: how a backing is known
// depends on the form by design.
type formAnswers struct {
	Pods      []string            // namespace/name, IPs, node, status
	Services  []string            // namespace/name, type, ClusterIPs, ports
	Owner     map[string]string   // address -> "pod ns/name", "service ns/name", "node name" or "none"
	ServiceAt map[string]string   // address:port -> "ns/name port/protocol", or "ns/name, no such port"
	Backends  map[string][]string // address:port -> ["ns/name:port"]
	Via       map[string][]string // address:port -> how each backing is known
}

func answersOf(t *testing.T, inv *Inventory, addrs []netip.Addr, ports []uint16) formAnswers {
	t.Helper()
	a := formAnswers{Owner: map[string]string{}, ServiceAt: map[string]string{}, Backends: map[string][]string{}, Via: map[string][]string{}}
	for _, p := range inv.Pods {
		a.Pods = append(a.Pods, fmt.Sprintf("%s %v on %s %s", p.Ref, p.IPs, p.Node, p.Status))
	}
	for _, s := range inv.Services {
		var ports []string
		for _, sp := range s.Ports {
			ports = append(ports, fmt.Sprintf("%d/%s", sp.Port, sp.Protocol))
		}
		a.Services = append(a.Services, fmt.Sprintf("%s %s %v %v", s.Ref, s.Type, s.ClusterIPs, ports))
	}
	slices.Sort(a.Pods)
	slices.Sort(a.Services)
	x := inv.Index()
	for _, addr := range addrs {
		o := x.Owner(addr)
		switch o.Kind {
		case OwnerPod:
			a.Owner[addr.String()] = "pod " + o.Pod.Ref.String()
		case OwnerService:
			a.Owner[addr.String()] = "service " + o.Service.Ref.String()
		case OwnerNode:
			a.Owner[addr.String()] = "node " + o.Node.Name
		default:
			a.Owner[addr.String()] = o.Kind.String()
		}
		for _, port := range ports {
			key := netip.AddrPortFrom(addr, port).String()
			if s, sp := x.ServiceAt(addr, port, capture.TCP); s != nil && sp != nil {
				a.ServiceAt[key] = fmt.Sprintf("%s %d/%s", s.Ref, sp.Port, sp.Protocol)
			} else if s != nil {
				a.ServiceAt[key] = fmt.Sprintf("%s, no such port", s.Ref)
			}
			for _, b := range x.Backends(addr, port, capture.TCP) {
				port := "?"
				if b.Port != nil {
					port = fmt.Sprint(b.Port.Port)
				}
				a.Backends[key] = append(a.Backends[key], b.Service.String()+":"+port)
				a.Via[key] = append(a.Via[key], b.Via.String())
			}
		}
	}
	return a
}

// TestFormsAgree loads the same Bookinfo pods and Services as
// `kubectl get pods,services -o wide`, -o json and -o yaml
// (testdata/forms/README.md says where each layout comes from) and
// requires the same answers from each index: the pods and Services read,
// who owns each pod IP and ClusterIP, which Service a ClusterIP:port is,
// which Services a pod IP:port backs. Only how a backing is known may
// differ: the text shows no labels, so it is a guess from the pod's name.
func TestFormsAgree(t *testing.T) {
	addrs := []netip.Addr{
		netip.MustParseAddr("10.96.209.151"), // reviews' ClusterIP
		netip.MustParseAddr("10.96.117.59"),  // details' ClusterIP
		netip.MustParseAddr("10.244.2.31"),   // reviews-v1
		netip.MustParseAddr("10.244.1.31"),   // reviews-v2
		netip.MustParseAddr("10.244.2.32"),   // reviews-v3
		netip.MustParseAddr("10.244.1.32"),   // productpage
		netip.MustParseAddr("10.244.1.29"),   // details
		netip.MustParseAddr("10.244.9.9"),    // nobody
		netip.MustParseAddr("172.18.0.2"),    // kind-worker: a pod's hostIP, not a claim on the address
	}
	ports := []uint16{9080, 15090, 80}
	forms := []struct {
		file string
		via  string // how every backing is known in this form
	}{
		{"pods-services-wide.txt", "pod-name"},
		{"pods-services.json", "selector"},
		{"pods-services.yaml", "selector"},
	}
	var first formAnswers
	for i, form := range forms {
		t.Run(form.file, func(t *testing.T) {
			inv, err := Load(filepath.Join("testdata", "forms", form.file))
			require.NoError(t, err)
			require.Empty(t, inv.Warnings, "warnings")
			got := answersOf(t, inv, addrs, ports)
			require.Len(t, got.Pods, 6)
			require.Len(t, got.Services, 4)
			for key, vias := range got.Via {
				for _, v := range vias {
					assert.Equal(t, form.via, v, "how %s is known to back %v", key, got.Backends[key])
				}
			}
			got.Via = nil
			if i == 0 {
				first = got
				// The answers the seed depends on, spelled out once.
				assert.Equal(t, "service bookinfo/reviews", got.Owner["10.96.209.151"])
				assert.Equal(t, "bookinfo/reviews 9080/TCP", got.ServiceAt["10.96.209.151:9080"])
				for _, pod := range []string{"10.244.2.31", "10.244.1.31", "10.244.2.32"} {
					assert.Equal(t, []string{"bookinfo/reviews:9080"}, got.Backends[pod+":9080"], pod)
					assert.True(t, strings.HasPrefix(got.Owner[pod], "pod bookinfo/reviews-v"), got.Owner[pod])
				}
				assert.Equal(t, "none", got.Owner["10.244.9.9"])
				assert.Empty(t, got.Backends["10.244.2.31:15090"], "no Service targets the sidecar's metrics port")
				return
			}
			assert.Equal(t, first, got, "answers from %s (-want) and %s (+got)", forms[0].file, form.file)
		})
	}
}
