package inventory

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// Backends returns the Services that addr:port backs as an endpoint for
// proto ("" means TCP), and how that is known. It tries, in order, and
// stops at the first step that finds anything:
//
//  1. EndpointSlices and Endpoints listing addr:port (an entry read from
//     text, which shows no protocol, matches any);
//  2. sidecar registries (istioctl) whose outbound cluster
//     "outbound|P||name.ns.svc.cluster.local" has the endpoint; the Service
//     port is P (TCP only: Envoy clusters carry no UDP);
//  3. Services in the pod's namespace whose non-empty selector matches the
//     labels of a pod at addr, with a port targeting port: a numeric
//     targetPort equal to it, a named one that the pod's container ports or
//     the Service's EndpointSlices resolve to it, or, when the targetPort is
//     unknown (text), a service port equal to it;
//  4. only for pods whose labels are unknown (kubectl text without
//     --show-labels): Services whose selector has a value V (or, when the
//     selector is unknown too, whose name is V) such that the pod's name is
//     V or starts with V+"-" (Deployment pods are named
//     <deployment>-<hash>-<hash>), with a port targeting port as above. This
//     is a guess, marked ViaPodName.
//
// Namespaces match when equal or when either is unknown. The result is
// sorted by Service namespace/name, then service port, then Via.
func (x *Index) Backends(addr netip.Addr, port uint16, t capture.Transport) []Backing {
	addr, proto := plain(addr), Protocol(t)
	key := netip.AddrPortFrom(addr, port)
	for _, step := range []func(netip.AddrPort, string) []Backing{
		x.byEndpoints, x.byRegistries, x.bySelector, x.byPodName,
	} {
		if out := step(key, proto); len(out) > 0 {
			return sortBackings(out)
		}
	}
	return nil
}

func (x *Index) byEndpoints(key netip.AddrPort, proto string) []Backing {
	var out []Backing
	for _, e := range x.endpoints[key] {
		if e.Protocol != "" && protocolOrTCP(e.Protocol) != proto {
			continue
		}
		pod := x.Pod(e.Pod) // the targetRef, else whoever is at the address
		if pod == nil {
			pod = x.podAt(key.Addr())
		}
		out = append(out, Backing{Service: e.Service, Port: x.endpointPort(e, proto), Via: e.Via, Pod: pod})
	}
	return out
}

// endpointPort returns the Service port an endpoint serves: the port of the
// same name (an EndpointSlice carries the Service port's name, which is how
// a named targetPort gets resolved), else the one port there is, else the
// port whose targetPort is the endpoint's.
func (x *Index) endpointPort(e *Endpoint, proto string) *ServicePort {
	s := x.service(e.Service)
	if s == nil {
		return nil
	}
	var candidates []*ServicePort
	for i := range s.Ports {
		if sp := &s.Ports[i]; protocolOrTCP(sp.Protocol) == proto {
			candidates = append(candidates, sp)
		}
	}
	if e.PortName != "" {
		for _, sp := range candidates {
			if sp.Name == e.PortName {
				return sp
			}
		}
	}
	if len(candidates) == 1 {
		return candidates[0]
	}
	for _, sp := range candidates {
		if sp.TargetPort == e.Port || sp.TargetPort == 0 && sp.TargetPortName == "" && sp.Port == e.Port {
			return sp
		}
	}
	return nil
}

func (x *Index) byRegistries(key netip.AddrPort, proto string) []Backing {
	if proto != "TCP" {
		return nil
	}
	var out []Backing
	for _, h := range x.istioctl[key] {
		out = append(out, Backing{Service: h.service, Port: h.port, Via: ViaIstioctl, Pod: x.podAt(key.Addr())})
	}
	return out
}

func (x *Index) bySelector(key netip.AddrPort, proto string) []Backing {
	var out []Backing
	for _, pod := range x.podsAt[key.Addr()] {
		for _, s := range x.selecting(pod) {
			out = append(out, x.targeting(s, pod, key.Port(), proto, ViaSelector)...)
		}
	}
	return out
}

// selecting returns the Services whose selector selects pod, in the order
// of x.services. Only those listed under one of the pod's labels
// (selectorsBy) can: a pod of a report is looked up for each of its
// connections, and a cluster has thousands of Services.
func (x *Index) selecting(pod *Pod) []*Service {
	var found []int
	for k, v := range pod.Labels {
		for _, i := range x.selectorsBy[labelPair{k, v}] {
			if s := x.services[i]; sameNamespace(s.Namespace, pod.Namespace) && selects(s.Selector, pod.Labels) {
				found = append(found, i)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	slices.Sort(found)
	out := make([]*Service, len(found))
	for j, i := range found {
		out[j] = x.services[i]
	}
	return out
}

func (x *Index) byPodName(key netip.AddrPort, proto string) []Backing {
	var out []Backing
	for _, pod := range x.podsAt[key.Addr()] {
		if pod.Labels != nil {
			continue
		}
		for _, s := range x.services {
			if !sameNamespace(s.Namespace, pod.Namespace) || !namedAfter(pod.Name, s) {
				continue
			}
			out = append(out, x.targeting(s, pod, key.Port(), proto, ViaPodName)...)
		}
	}
	return out
}

// targeting returns a Backing for each port of s whose target on pod is
// port.
func (x *Index) targeting(s *Service, pod *Pod, port uint16, proto string, via Via) []Backing {
	var out []Backing
	for i := range s.Ports {
		sp := &s.Ports[i]
		if protocolOrTCP(sp.Protocol) == proto && x.targets(s, sp, pod, port, proto) {
			out = append(out, Backing{Service: s.Ref, Port: sp, Via: via, Pod: pod})
		}
	}
	return out
}

// targets reports whether service port sp sends to port on pod.
func (x *Index) targets(s *Service, sp *ServicePort, pod *Pod, port uint16, proto string) bool {
	switch {
	case sp.TargetPortName != "":
		for _, cp := range pod.Ports {
			if cp.Name == sp.TargetPortName && protocolOrTCP(cp.Protocol) == proto {
				return cp.Port == port
			}
		}
		return slices.Contains(x.namedTargets[namedPort{s.Ref, sp.Name}], port)
	case sp.TargetPort != 0:
		return sp.TargetPort == port
	}
	return sp.Port == port // targetPort unknown (text): kubectl's default
}

// selects reports whether selector matches labels.
func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if l, ok := labels[k]; !ok || l != v {
			return false
		}
	}
	return true
}

// namedAfter reports whether a pod name is a value of the Service's
// selector or starts with one followed by "-". When the selector is unknown
// (kubectl get svc without -o wide has no SELECTOR column) the Service's
// name stands for it, as Deployments are commonly named after their Service.
func namedAfter(pod string, s *Service) bool {
	values := slices.Collect(maps.Values(s.Selector))
	if s.Selector == nil {
		values = []string{s.Name}
	}
	for _, v := range values {
		if v != "" && (pod == v || strings.HasPrefix(pod, v+"-")) {
			return true
		}
	}
	return false
}

// podAt returns the pod that owns addr, else any pod claiming it.
func (x *Index) podAt(addr netip.Addr) *Pod {
	if pods := x.podsAt[addr]; len(pods) > 0 {
		return pods[0]
	}
	return nil
}

func sortBackings(bs []Backing) []Backing {
	slices.SortStableFunc(bs, func(a, b Backing) int {
		return cmp.Or(compareRefs(a.Service, b.Service), cmp.Compare(portOf(a.Port), portOf(b.Port)), cmp.Compare(a.Via, b.Via))
	})
	// The same Service and port found twice (an EndpointSlice and an
	// Endpoints object, two registries) is one backing, the most direct.
	return slices.CompactFunc(bs, func(a, b Backing) bool {
		return a.Service == b.Service && portOf(a.Port) == portOf(b.Port)
	})
}

func portOf(sp *ServicePort) int {
	if sp == nil {
		return -1
	}
	return int(sp.Port)
}
