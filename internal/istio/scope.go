package istio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Scope is what one workload's sidecar knows: the Sidecar that applies, the
// services it imports and the outbound traffic policy.
type Scope struct {
	// Namespace is the workload's: "." and exportTo are read against it.
	Namespace string
	Choice
	// Policy is the outbound traffic policy in force, PolicyFrom where it
	// comes from.
	Policy     Policy
	PolicyFrom string
	// Imports are the services in scope, sorted by namespace/name.
	Imports []Import
	// Hidden are services an egress host names but exportTo hides from the
	// namespace.
	Hidden []*inventory.Service
	// Version is the Istio release the scope was predicted for,
	// VersionFrom where it was taken from.
	Version     Version
	VersionFrom string
	// Notes say where a rule of that version decided, naming the rule and
	// the version.
	Notes []string
	// Excluded maps a service a "~" egress host left out (Istio 1.31 and
	// later) to that host, as written after "." and "~" alone are read
	// ("~bookinfo/*", "~*/*").
	Excluded map[inventory.Ref]string
}

// Import is one service in scope and the ports imported.
type Import struct {
	Service *inventory.Service
	Host    string
	// Ports are the service ports imported; all of the service's unless an
	// egress listener with a port imported it. Empty when the inventory
	// does not list the service's ports: then any port counts.
	Ports []inventory.ServicePort
	// By is the egress host that imported it ("istio-system/*"), "*/*" when
	// no Sidecar applies or the Sidecar has no egress.
	By string
}

// ScopeFor computes the scope of pod's sidecar over the inventory's
// services.
func (c *Config) ScopeFor(pod *inventory.Pod, services []*inventory.Service) *Scope {
	return c.ScopeIn(pod.Namespace, pod.Labels, services)
}

// ScopeIn computes the scope of a workload of namespace ns with labels (nil
// when unknown) over services.
//
// Services are selected per egress listener as
// pilot/pkg/model/sidecar.go selectServices does: among the services
// visible to ns (exportTo), one is imported when a host of its own
// namespace matches its host name; failing that, when a host of namespace
// "*" does. "." stands for ns, also in a root-namespace Sidecar
// (convertIstioListenerToWrapper replaces it with the configNamespace, the
// proxy's). A Sidecar without egress, and no Sidecar at all, import "*/*".
// A listener with a port imports only that port of a service (needsPortMatch,
// except for protocol HTTP_PROXY). Imports of several listeners merge their
// ports.
//
// The policy is the Sidecar's outboundTrafficPolicy, else the mesh config's,
// else ALLOW_ANY (initSidecarScopeInternalIndexes in sidecar.go).
func (c *Config) ScopeIn(ns string, labels map[string]string, services []*inventory.Service) *Scope {
	s := &Scope{Namespace: ns, Choice: c.SidecarFor(ns, labels)}
	s.Policy, s.PolicyFrom = c.MeshPolicy()
	listeners := []Listener{{Hosts: []Host{{NamespaceAny, "*"}}}}
	if sc := s.Sidecar; sc != nil {
		if len(sc.Egress) > 0 {
			listeners = sc.Egress
		}
		if sc.OutboundPolicy != PolicyUnset {
			s.Policy, s.PolicyFrom = sc.OutboundPolicy, fmt.Sprintf("Sidecar %s spec.outboundTrafficPolicy", sc.Describe())
		}
		for _, l := range listeners {
			for _, h := range l.Hosts {
				if isShortName(h.DNSName) {
					s.Warnings = append(s.Warnings, fmt.Sprintf("Sidecar %s: egress host %q is not a fully qualified name; Istio compares it literally with names like %s, so it imports nothing",
						sc.Describe(), h, ServiceHost("ns", "name")))
				}
			}
		}
	}
	sorted := append(slices.Clone(services), c.entryServices(services)...)
	slices.SortFunc(sorted, func(a, b *inventory.Service) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	defaults := c.defaultExportTo()
	v, from := c.Istio()
	s.Version, s.VersionFrom = v, from
	if note := c.defaultExportToNote(); note != "" {
		s.Notes = append(s.Notes, note)
	}
	byRef := map[inventory.Ref]int{}
	for _, l := range listeners {
		hosts := hostsByNamespace(l, ns, v)
		s.noteTilde(l, v)
		for _, svc := range sorted {
			imp, ok, excl := importBy(l, hosts, svc)
			if excl != "" {
				if s.Excluded == nil {
					s.Excluded = map[inventory.Ref]string{}
				}
				if _, seen := s.Excluded[svc.Ref]; !seen {
					s.Excluded[svc.Ref] = excl
				}
			}
			if !ok {
				continue
			}
			if !visibleTo(svc, ns, defaults, v) {
				if !slices.Contains(s.Hidden, svc) {
					s.Hidden = append(s.Hidden, svc)
				}
				continue
			}
			if i, dup := byRef[svc.Ref]; dup {
				s.Imports[i].Ports = mergePorts(s.Imports[i].Ports, imp.Ports)
				continue
			}
			byRef[svc.Ref] = len(s.Imports)
			s.Imports = append(s.Imports, imp)
		}
	}
	slices.SortFunc(s.Imports, func(a, b Import) int { return strings.Compare(a.Service.Ref.String(), b.Service.Ref.String()) })
	return s
}

// listenerHosts are a listener's hosts of one namespace: those that import
// and, from Istio 1.31, the dnsNames of those that exclude ("~ns/host").
type listenerHosts struct {
	hosts    []Host
	excluded []string
}

// hostsByNamespace groups a listener's hosts by namespace, "." read as ns.
//
// From Istio 1.31 a namespace written with a leading "~" excludes: the
// host's services are left out even when another host imports them, and
// "~" alone (as in "~/*") stands for every namespace. This is
// pilot/pkg/model/sidecar.go convertIstioListenerToWrapper (excludePrefix,
// hostClassification.excludedHosts) at release-1.31 eed52ebb66ad; the "~"
// is cut before "." is replaced, so "~./*" excludes the workload's own
// namespace. Before 1.31 "~ns" is a namespace name like any other, which
// no service has, so such a host imports and excludes nothing.
func hostsByNamespace(l Listener, ns string, v Version) map[string]*listenerHosts {
	out := map[string]*listenerHosts{}
	for _, h := range l.Hosts {
		key := h.Namespace
		excluded := v.AtLeast(V1_31) && strings.HasPrefix(key, NamespaceNone)
		if excluded {
			key = strings.TrimPrefix(key, NamespaceNone)
			if key == "" {
				key = NamespaceAny
			}
		}
		if key == NamespaceCurrent {
			key = ns
		}
		lh := out[key]
		if lh == nil {
			lh = &listenerHosts{}
			out[key] = lh
		}
		if excluded {
			lh.excluded = append(lh.excluded, h.DNSName)
		} else {
			lh.hosts = append(lh.hosts, h)
		}
	}
	return out
}

// noteTilde explains, once per host, how the version read a host whose
// namespace starts with "~".
func (s *Scope) noteTilde(l Listener, v Version) {
	for _, h := range l.Hosts {
		if !strings.HasPrefix(h.Namespace, NamespaceNone) {
			continue
		}
		var n string
		if v.AtLeast(V1_31) {
			n = fmt.Sprintf("Istio %s: egress host %s excludes (a leading ~ on the namespace leaves its services out, from 1.31 on: pilot/pkg/model/sidecar.go convertIstioListenerToWrapper)", v, h)
		} else {
			n = fmt.Sprintf("Istio %s: egress host %s names the namespace %q literally (the ~ exclusion came with 1.31), so it imports nothing", v, h, h.Namespace)
		}
		if !slices.Contains(s.Notes, n) {
			s.Notes = append(s.Notes, n)
		}
	}
}

// excludes returns the dnsName of a "~" host of this namespace that
// leaves the service out (selectServices in sidecar.go), "" when none.
func (lh *listenerHosts) excludes(name string) string {
	if lh == nil {
		return ""
	}
	for _, dns := range lh.excluded {
		if matchesName(dns, name) {
			return dns
		}
	}
	return ""
}

// importBy imports svc through listener l when a host of the service's
// namespace matches, else when a host of namespace "*" does, unless a "~"
// host excludes it (pilot/pkg/model/sidecar.go selectServices).
//
// A listener with a port imports the service's first port of that number
// only (serviceMatchingListenerPort), whatever its protocol: a Service
// listing 53/UDP before 53/TCP is imported on 53/UDP alone, for which no
// cluster is built.
//
// excludedBy names the "~" host that excluded the service, "" when none did.
func importBy(l Listener, hosts map[string]*listenerHosts, svc *inventory.Service) (imp Import, ok bool, excludedBy string) {
	name := hostOf(svc)
	if dns := hosts[svc.Namespace].excludes(name); dns != "" {
		return Import{}, false, "~" + svc.Namespace + "/" + dns
	}
	if dns := hosts[NamespaceAny].excludes(name); dns != "" {
		return Import{}, false, "~*/" + dns
	}
	for _, key := range []string{svc.Namespace, NamespaceAny} {
		lh := hosts[key]
		if lh == nil {
			continue
		}
		for _, h := range lh.hosts {
			if !matchesName(h.DNSName, name) {
				continue
			}
			imp := Import{Service: svc, Host: name, Ports: svc.Ports, By: h.String()}
			if l.Port == 0 || strings.EqualFold(l.Protocol, "HTTP_PROXY") {
				return imp, true, ""
			}
			if len(svc.Ports) == 0 {
				imp.Ports = []inventory.ServicePort{{Port: l.Port, Protocol: "TCP"}}
				return imp, true, ""
			}
			if i := slices.IndexFunc(svc.Ports, func(p inventory.ServicePort) bool { return p.Port == l.Port }); i >= 0 {
				imp.Ports = []inventory.ServicePort{svc.Ports[i]}
				return imp, true, ""
			}
			break // this namespace's hosts match, but not on this port: try "*"
		}
	}
	return Import{}, false, ""
}

// mergePorts adds b's ports to a, by port number alone: istiod merges the
// partial services of several listeners so (sidecar.go
// SidecarScope.addService), keeping the first port of a number.
func mergePorts(a, b []inventory.ServicePort) []inventory.ServicePort {
	for _, p := range b {
		if !slices.ContainsFunc(a, func(q inventory.ServicePort) bool { return q.Port == p.Port }) {
			a = append(a, p)
		}
	}
	return a
}

// Find returns the import of service ref, nil when it is not in scope.
func (s *Scope) Find(ref inventory.Ref) *Import {
	for i := range s.Imports {
		if s.Imports[i].Service.Ref == ref {
			return &s.Imports[i]
		}
	}
	return nil
}

// Knows reports whether the scope imports ref on port (any port when the
// inventory does not list the service's ports) with a cluster for a TCP
// connection: an import of the port as UDP alone, as a listener port
// makes of kube-dns listing 53/UDP first, gives the sidecar no cluster.
func (s *Scope) Knows(ref inventory.Ref, port uint16) bool {
	imp := s.Find(ref)
	if imp == nil {
		return false
	}
	if len(imp.Ports) == 0 || port == 0 {
		return true
	}
	return slices.ContainsFunc(imp.Ports, func(p inventory.ServicePort) bool {
		return p.Port == port && !strings.EqualFold(p.Protocol, "UDP")
	})
}

// hidden reports whether exportTo hid ref from the namespace.
func (s *Scope) hidden(ref inventory.Ref) bool {
	return slices.ContainsFunc(s.Hidden, func(svc *inventory.Service) bool { return svc.Ref == ref })
}

// Describe says which configuration decides the scope, in a phrase:
// "Sidecar default/default (f.yaml:1), egress ./* istio-system/*".
func (s *Scope) Describe() string {
	if s.Sidecar == nil {
		return "no Sidecar (every exported service)"
	}
	return fmt.Sprintf("Sidecar %s, egress %s", s.Sidecar.Describe(), strings.Join(s.Sidecar.EgressHosts(), " "))
}
