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
	sorted := slices.Clone(services)
	slices.SortFunc(sorted, func(a, b *inventory.Service) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	defaults := c.defaultExportTo()
	byRef := map[inventory.Ref]int{}
	for _, l := range listeners {
		hosts := hostsByNamespace(l, ns)
		for _, svc := range sorted {
			imp, ok := importBy(l, hosts, svc)
			if !ok {
				continue
			}
			if !visibleTo(svc, ns, defaults) {
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

// hostsByNamespace groups a listener's hosts by namespace, "." read as ns.
func hostsByNamespace(l Listener, ns string) map[string][]Host {
	out := map[string][]Host{}
	for _, h := range l.Hosts {
		key := h.Namespace
		if key == NamespaceCurrent {
			key = ns
		}
		out[key] = append(out[key], h)
	}
	return out
}

// importBy imports svc through listener l when a host of the service's
// namespace matches, else when a host of namespace "*" does.
func importBy(l Listener, hosts map[string][]Host, svc *inventory.Service) (Import, bool) {
	name := ServiceHost(svc.Namespace, svc.Name)
	for _, key := range []string{svc.Namespace, NamespaceAny} {
		for _, h := range hosts[key] {
			if !matchesName(h.DNSName, name) {
				continue
			}
			imp := Import{Service: svc, Host: name, Ports: svc.Ports, By: h.String()}
			if l.Port == 0 || strings.EqualFold(l.Protocol, "HTTP_PROXY") {
				return imp, true
			}
			if len(svc.Ports) == 0 {
				imp.Ports = []inventory.ServicePort{{Port: l.Port, Protocol: "TCP"}}
				return imp, true
			}
			imp.Ports = nil
			for _, p := range svc.Ports {
				if p.Port == l.Port {
					imp.Ports = append(imp.Ports, p)
				}
			}
			if len(imp.Ports) > 0 {
				return imp, true
			}
			break // this namespace's hosts match, but not on this port: try "*"
		}
	}
	return Import{}, false
}

func mergePorts(a, b []inventory.ServicePort) []inventory.ServicePort {
	for _, p := range b {
		if !slices.ContainsFunc(a, func(q inventory.ServicePort) bool { return q.Port == p.Port && q.Protocol == p.Protocol }) {
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
// inventory does not list the service's ports).
func (s *Scope) Knows(ref inventory.Ref, port uint16) bool {
	imp := s.Find(ref)
	if imp == nil {
		return false
	}
	if len(imp.Ports) == 0 || port == 0 {
		return true
	}
	return slices.ContainsFunc(imp.Ports, func(p inventory.ServicePort) bool { return p.Port == port })
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
