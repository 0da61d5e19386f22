package inventory

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// Index answers the questions the verdict logic asks of an inventory: who
// owns an address, which Service an address:port is, which Services it
// backs. Build it with Inventory.Index once the inventory is complete; it
// holds pointers into the inventory, which must not change afterwards. An
// Index is safe for concurrent use: its methods only read.
type Index struct {
	inv *Inventory
	// owners is the owner of each address, conflicts resolved.
	owners map[netip.Addr]Owner
	// podsAt lists every pod claiming an address, owner first.
	podsAt map[netip.Addr][]*Pod
	// serviceIPs lists the Services at an address: ClusterIPs first, then
	// external IPs, each sorted by namespace/name.
	serviceIPs map[netip.Addr][]*Service
	nodePorts  map[uint16][]*Service
	// services is every Service sorted by namespace/name.
	services []*Service
	// selectorsBy lists the Services with a selector by one pair of it,
	// the one of the smallest key, as indexes into services: a pod is
	// selected only by Services listed under one of its labels.
	selectorsBy map[labelPair][]int
	svcByRef    map[Ref]*Service
	svcByName   map[string][]*Service
	pods        map[Ref]*Pod
	podByName   map[string][]*Pod
	endpoints   map[netip.AddrPort][]*Endpoint
	istioctl    map[netip.AddrPort][]registryHit
	// namedTargets maps a Service port name to the numbers EndpointSlices
	// resolved its named targetPort to.
	namedTargets map[namedPort][]uint16
	warnings     []string
}

type labelPair struct{ key, value string }

type namedPort struct {
	service Ref
	name    string
}

// registryHit is an endpoint of a sidecar's outbound cluster.
type registryHit struct {
	service Ref
	port    *ServicePort
}

// Index builds the lookup index of inv. Conflicting claims on an address
// are resolved as resolveOwner documents and reported by Index.Warnings.
func (inv *Inventory) Index() *Index {
	if inv == nil {
		inv = &Inventory{}
	}
	x := &Index{
		inv:          inv,
		owners:       map[netip.Addr]Owner{},
		podsAt:       map[netip.Addr][]*Pod{},
		serviceIPs:   map[netip.Addr][]*Service{},
		nodePorts:    map[uint16][]*Service{},
		svcByRef:     map[Ref]*Service{},
		svcByName:    map[string][]*Service{},
		pods:         map[Ref]*Pod{},
		podByName:    map[string][]*Pod{},
		endpoints:    map[netip.AddrPort][]*Endpoint{},
		istioctl:     map[netip.AddrPort][]registryHit{},
		namedTargets: map[namedPort][]uint16{},
	}
	x.indexOwners()
	x.indexServices()
	x.indexPods()
	x.indexEndpoints()
	x.indexRegistries()
	return x
}

func (x *Index) indexOwners() {
	all := claims(x.inv)
	addrs := make([]netip.Addr, 0, len(all))
	for a := range all {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	for _, a := range addrs {
		owner, warning := resolveOwner(a, all[a])
		x.owners[a] = owner
		if warning != "" {
			x.warnings = append(x.warnings, warning)
		}
		for _, c := range all[a] { // sorted by resolveOwner: owner first
			if c.owner.Kind == OwnerPod {
				x.podsAt[a] = append(x.podsAt[a], c.owner.Pod)
			}
		}
	}
}

func (x *Index) indexServices() {
	x.services = slices.Clone(x.inv.Services)
	slices.SortStableFunc(x.services, func(a, b *Service) int { return compareRefs(a.Ref, b.Ref) })
	for _, s := range x.services {
		x.svcByRef[s.Ref] = s
		x.svcByName[s.Name] = append(x.svcByName[s.Name], s)
		for _, a := range s.ClusterIPs {
			x.serviceIPs[plain(a)] = append(x.serviceIPs[plain(a)], s)
		}
		for _, p := range s.Ports {
			if p.NodePort != 0 && !slices.Contains(x.nodePorts[p.NodePort], s) {
				x.nodePorts[p.NodePort] = append(x.nodePorts[p.NodePort], s)
			}
		}
	}
	x.selectorsBy = map[labelPair][]int{}
	for i, s := range x.services {
		if len(s.Selector) == 0 {
			continue
		}
		k := slices.Min(slices.Collect(maps.Keys(s.Selector)))
		pair := labelPair{k, s.Selector[k]}
		x.selectorsBy[pair] = append(x.selectorsBy[pair], i)
	}
	for _, s := range x.services { // external IPs after every ClusterIP
		for _, a := range s.ExternalIPs {
			x.serviceIPs[plain(a)] = append(x.serviceIPs[plain(a)], s)
		}
	}
}

func (x *Index) indexPods() {
	for _, p := range x.inv.Pods {
		if _, dup := x.pods[p.Ref]; !dup {
			x.pods[p.Ref] = p
			x.podByName[p.Name] = append(x.podByName[p.Name], p)
		}
	}
}

func (x *Index) indexEndpoints() {
	for i := range x.inv.Endpoints {
		e := &x.inv.Endpoints[i]
		k := netip.AddrPortFrom(plain(e.Addr), e.Port)
		x.endpoints[k] = append(x.endpoints[k], e)
		if e.PortName == "" {
			continue
		}
		np := namedPort{e.Service, e.PortName}
		if !slices.Contains(x.namedTargets[np], e.Port) {
			x.namedTargets[np] = append(x.namedTargets[np], e.Port)
		}
	}
}

func (x *Index) indexRegistries() {
	seen := map[Ref]*Registry{}
	for _, reg := range x.inv.Registries {
		if first, dup := seen[reg.Proxy]; dup && !reg.Proxy.IsZero() {
			x.warnings = append(x.warnings, fmt.Sprintf("two istioctl listings for proxy %s (%s and %s); using the first",
				reg.Proxy, first.From, reg.From))
		} else {
			seen[reg.Proxy] = reg
		}
		for _, c := range reg.Clusters {
			svc, ok := serviceOfHost(c.Host)
			if c.Direction != "outbound" || c.Port == 0 || !ok {
				continue
			}
			for _, ep := range c.Endpoints {
				k := netip.AddrPortFrom(plain(ep.Addr.Addr()), ep.Addr.Port())
				if slices.ContainsFunc(x.istioctl[k], func(h registryHit) bool { return h.service == svc && h.port.Port == c.Port }) {
					continue
				}
				x.istioctl[k] = append(x.istioctl[k], registryHit{service: svc, port: x.clusterPort(svc, c.Port, k.Port())})
			}
		}
	}
}

// clusterPort returns the port of svc that an outbound cluster for port
// serves, made up from the cluster when the inventory lacks it.
func (x *Index) clusterPort(svc Ref, port, target uint16) *ServicePort {
	if s := x.service(svc); s != nil {
		if sp := findPort(s, port, "TCP"); sp != nil {
			return sp
		}
	}
	return &ServicePort{Port: port, Protocol: "TCP", TargetPort: target}
}

// Owner returns the object addr belongs to; Kind is OwnerNone when the
// inventory knows none.
func (x *Index) Owner(addr netip.Addr) Owner {
	return x.owners[plain(addr)]
}

// ServiceAt returns the Service whose ClusterIP or external IP is addr (or,
// for a node's address, whose NodePort is port) and its port matching port
// and proto ("" means TCP). When the Service has no such port, it returns the
// Service and a nil port; when no Service is at addr, nil and nil.
func (x *Index) ServiceAt(addr netip.Addr, port uint16, t capture.Transport) (*Service, *ServicePort) {
	addr, proto := plain(addr), Protocol(t)
	candidates := x.serviceIPs[addr]
	for _, s := range candidates {
		if sp := findPort(s, port, proto); sp != nil {
			return s, sp
		}
	}
	if x.Owner(addr).Kind == OwnerNode {
		for _, s := range x.nodePorts[port] {
			for i := range s.Ports {
				if sp := &s.Ports[i]; sp.NodePort == port && protocolOrTCP(sp.Protocol) == proto {
					return s, sp
				}
			}
		}
	}
	if len(candidates) > 0 {
		return candidates[0], nil
	}
	return nil, nil
}

// findPort returns the port of s numbered port for proto.
func findPort(s *Service, port uint16, proto string) *ServicePort {
	for i := range s.Ports {
		if sp := &s.Ports[i]; sp.Port == port && protocolOrTCP(sp.Protocol) == proto {
			return sp
		}
	}
	return nil
}

// Pod returns the pod ref names, nil when none. A ref of empty namespace
// matches a pod of that name in any namespace, and a pod of unknown
// namespace matches a ref of any, when exactly one pod fits.
func (x *Index) Pod(ref Ref) *Pod {
	if p := x.pods[ref]; p != nil {
		return p
	}
	return unique(x.podByName[ref.Name], ref, func(p *Pod) string { return p.Namespace })
}

// Service returns the Service ref names, matched as Pod matches pods; nil
// when there is none or several.
func (x *Index) Service(ref Ref) *Service { return x.service(ref) }

// service returns the Service ref names, matched as Pod matches pods.
func (x *Index) service(ref Ref) *Service {
	if s := x.svcByRef[ref]; s != nil {
		return s
	}
	return unique(x.svcByName[ref.Name], ref, func(s *Service) string { return s.Namespace })
}

func unique[T any](named []T, ref Ref, namespace func(T) string) T {
	var found T
	n := 0
	for _, o := range named {
		if ns := namespace(o); ref.Namespace == "" || ns == "" || ns == ref.Namespace {
			found = o
			n++
		}
	}
	if n != 1 {
		var zero T
		return zero
	}
	return found
}

// Registry returns the istioctl registry taken from the proxy pod (its name
// matched as Pod matches), the first one loaded when there are several; nil
// when none was. A registry read from JSON names no proxy and is never
// returned.
func (x *Index) Registry(proxy Ref) *Registry {
	if proxy.IsZero() {
		return nil
	}
	for _, reg := range x.inv.Registries {
		if reg.Proxy.Name == proxy.Name && sameNamespace(reg.Proxy.Namespace, proxy.Namespace) {
			return reg
		}
	}
	return nil
}

// Warnings returns the inventory's warnings followed by the index's own:
// conflicting claims on an address and repeated registries.
func (x *Index) Warnings() []string {
	return append(slices.Clone(x.inv.Warnings), x.warnings...)
}

// sameNamespace reports whether two namespaces may be the same: equal, or
// either unknown.
func sameNamespace(a, b string) bool {
	return a == b || a == "" || b == ""
}

func compareRefs(a, b Ref) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}
