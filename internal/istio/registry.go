package istio

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Cluster is one outbound Envoy cluster the scope predicts, as
// `istioctl proxy-config endpoint` names it.
type Cluster struct {
	// Name is "outbound|PORT||HOST".
	Name    string
	Service inventory.Ref
	Port    uint16
	Host    string
	// Endpoints are the pod addresses behind it, sorted; empty when the
	// inventory does not tell them.
	Endpoints []netip.AddrPort
	// EndpointsFrom says how they are known: "endpointslices", "selector",
	// "istioctl", "pod names (a guess)", or "" when unknown.
	EndpointsFrom string
}

// ClusterName is the outbound cluster name of a service port.
func ClusterName(port uint16, host string) string {
	return fmt.Sprintf("outbound|%d||%s", port, host)
}

// Clusters lists the outbound clusters of the scope: one per imported
// service port, except UDP ports, for which Istio builds no cluster
// (pilot/pkg/networking/core/cluster.go buildOutboundClusters skips
// protocol UDP), and except ExternalName services: istiod's kube registry
// makes them an alias of the external name (pilot/pkg/serviceregistry/kube
// conversion.go ConvertService, Resolution Alias) and
// buildOutboundClusters builds no cluster for an alias (release-1.31
// eed52ebb66ad). Sorted by service, then port.
func (s *Scope) Clusters(inv *inventory.Inventory) []Cluster {
	var out []Cluster
	for _, imp := range s.Imports {
		if imp.Service.Type == "ExternalName" {
			continue
		}
		for _, p := range imp.Ports {
			if strings.EqualFold(p.Protocol, "UDP") {
				continue
			}
			if slices.ContainsFunc(out, func(c Cluster) bool { return c.Service == imp.Service.Ref && c.Port == p.Port }) {
				continue
			}
			c := Cluster{Name: ClusterName(p.Port, imp.Host), Service: imp.Service.Ref, Port: p.Port, Host: imp.Host}
			if imp.Service.Type != ServiceEntryType {
				c.Endpoints, c.EndpointsFrom = endpointsOf(inv, imp.Service, p)
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Cluster) int {
		return cmp.Or(strings.Compare(a.Service.String(), b.Service.String()), cmp.Compare(a.Port, b.Port))
	})
	return out
}

// endpointsOf finds the pod addresses behind a service port: the
// EndpointSlices or Endpoints listed, else the pods the selector picks
// (labels known), else an istioctl registry's cluster of the same name, else
// pods whose name starts with a selector value (a guess).
func endpointsOf(inv *inventory.Inventory, svc *inventory.Service, p inventory.ServicePort) ([]netip.AddrPort, string) {
	var out []netip.AddrPort
	add := func(a netip.AddrPort) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	done := func(from string) ([]netip.AddrPort, string) {
		slices.SortFunc(out, netip.AddrPort.Compare)
		return out, from
	}
	tcpPorts := 0
	for _, sp := range svc.Ports {
		if !strings.EqualFold(sp.Protocol, "UDP") {
			tcpPorts++
		}
	}
	for _, e := range inv.Endpoints {
		if e.Service != svc.Ref || strings.EqualFold(e.Protocol, "UDP") {
			continue
		}
		if e.PortName != "" && e.PortName == p.Name || e.PortName == "" && (tcpPorts == 1 || e.Port == targetOf(p)) {
			add(netip.AddrPortFrom(e.Addr, e.Port))
		}
	}
	if len(out) > 0 {
		return done("endpointslices")
	}
	for _, pod := range inv.Pods {
		if len(svc.Selector) == 0 || pod.Labels == nil || pod.Namespace != svc.Namespace || !selects(svc.Selector, pod.Labels) {
			continue
		}
		addPod(pod, p, add)
	}
	if len(out) > 0 {
		return done("selector")
	}
	name := ClusterName(p.Port, ServiceHost(svc.Namespace, svc.Name))
	for _, reg := range inv.Registries {
		for _, c := range reg.Clusters {
			if c.Name == name {
				for _, ep := range c.Endpoints {
					add(ep.Addr)
				}
			}
		}
	}
	if len(out) > 0 {
		return done("istioctl")
	}
	for _, pod := range inv.Pods {
		if pod.Labels != nil || pod.Namespace != svc.Namespace || !namedAfter(pod.Name, svc) {
			continue
		}
		addPod(pod, p, add)
	}
	if len(out) > 0 {
		return done("pod names (a guess)")
	}
	return nil, ""
}

// targetOf is the numeric target port of p: its targetPort, else (unknown,
// as in kubectl text) the port itself.
func targetOf(p inventory.ServicePort) uint16 {
	if p.TargetPort != 0 {
		return p.TargetPort
	}
	return p.Port
}

// addPod adds pod's addresses on the port p targets.
func addPod(pod *inventory.Pod, p inventory.ServicePort, add func(netip.AddrPort)) {
	port := targetOf(p)
	if p.TargetPortName != "" {
		port = 0
		for _, cp := range pod.Ports {
			if cp.Name == p.TargetPortName {
				port = cp.Port
			}
		}
		if port == 0 {
			return
		}
	}
	for _, ip := range pod.IPs {
		add(netip.AddrPortFrom(ip, port))
	}
}

// namedAfter reports whether a pod's name is a Deployment's pod name for
// the service: a selector value (or, with no selector known, the service's
// name) followed by "-".
func namedAfter(pod string, svc *inventory.Service) bool {
	values := []string{svc.Name}
	if len(svc.Selector) > 0 {
		values = values[:0]
		for _, v := range svc.Selector {
			values = append(values, v)
		}
	}
	for _, v := range values {
		if v != "" && (pod == v || strings.HasPrefix(pod, v+"-")) {
			return true
		}
	}
	return false
}
