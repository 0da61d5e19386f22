package istio

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/report"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Expectation is a predicted path and the reason for it, in a sentence.
type Expectation struct {
	Path report.Path
	Why  string
}

// Destination is what a flow was sent to, as far as the prediction needs
// it.
type Destination struct {
	// Service is the service the flow went to (its ClusterIP, or a pod
	// backing it); zero when none.
	Service inventory.Ref
	Port    uint16
	Proto   capture.Transport
	// Addr is the address the flow was sent to; it names the destination
	// when there is no service.
	Addr netip.AddrPort
	// Names are the host names the flow carried (its TLS SNI, its HTTP
	// Host), which ServiceEntry hosts are matched against.
	Names []string
}

// Expect predicts the path of a flow from a workload of this scope whose
// sidecar presence is sidecar. ok is false when nothing can be predicted:
// the workload has no sidecar and the destination is no service.
//
//   - no sidecar (the pod has no istio-proxy, or uses the host network):
//     nothing intercepts; a service is reached through kube-proxy:
//     passthrough;
//   - UDP: the sidecar does not intercept UDP (only DNS, with DNS capture),
//     so kube-proxy routes it: passthrough;
//   - a service the scope imports on that port: sidecar-dnat;
//   - anything else: passthrough under ALLOW_ANY (PassthroughCluster),
//     blocked under REGISTRY_ONLY (BlackHoleCluster; istio/istio#34632).
//     A destination that is no service is predicted only under
//     REGISTRY_ONLY: under ALLOW_ANY it leaves the pod to its own address
//     either way.
func (s *Scope) Expect(d Destination, sidecar inventory.Presence, hostNetwork bool) (Expectation, bool) {
	name := d.Addr.String()
	if !d.Service.IsZero() {
		name = fmt.Sprintf("%s port %d", d.Service, d.Port)
	}
	switch {
	case sidecar == inventory.Absent || hostNetwork:
		if d.Service.IsZero() {
			return Expectation{}, false
		}
		what := "has no istio-proxy container"
		if hostNetwork {
			what = "uses the host network, where no sidecar intercepts"
		}
		return Expectation{report.ExpectPassthrough, fmt.Sprintf("the client %s: nothing intercepts the connection, and kube-proxy routes %s", what, name)}, true
	case d.Proto == capture.UDP:
		if d.Service.IsZero() {
			return Expectation{}, false
		}
		return Expectation{report.ExpectPassthrough, fmt.Sprintf("the sidecar does not intercept UDP (only DNS, when Istio's DNS capture is on), so kube-proxy routes %s", name)}, true
	case !d.Service.IsZero() && s.Knows(d.Service, d.Port):
		var by string
		switch imp := s.Find(d.Service); {
		case s.Sidecar == nil:
			by = "no Sidecar applies, so every service exported to " + s.Namespace + " is in scope"
		case len(s.Sidecar.Egress) == 0:
			by = fmt.Sprintf("Sidecar %s has no egress, which imports */*", s.Sidecar.Describe())
		default:
			by = fmt.Sprintf("egress host %q of Sidecar %s imports it", imp.By, s.Sidecar.Describe())
		}
		return Expectation{report.ExpectSidecarDNAT, fmt.Sprintf("%s is in the sidecar's scope (%s): the sidecar picks the endpoint", name, by)}, true
	}
	if imp := s.matchEntryFor(d); imp != nil {
		return Expectation{report.ExpectEgress, fmt.Sprintf("%s is ServiceEntry host %s (%s), in the sidecar's scope: the sidecar sends the connection out of the pod to it (under %s too)",
			name, imp.Service.Name, imp.Service.From, RegistryOnly)}, true
	}
	reason := s.notInScope(d, name)
	if s.Policy == RegistryOnly {
		return Expectation{report.ExpectBlocked, fmt.Sprintf("%s; outboundTrafficPolicy REGISTRY_ONLY (%s) sends it to BlackHoleCluster: the connection should never leave the pod", reason, s.PolicyFrom)}, true
	}
	if d.Service.IsZero() {
		return Expectation{}, false
	}
	return Expectation{report.ExpectPassthrough, fmt.Sprintf("%s; outboundTrafficPolicy ALLOW_ANY (%s) passes it through to the ClusterIP, where kube-proxy picks the pod", reason, s.PolicyFrom)}, true
}

// notInScope says why a destination is not in the scope.
func (s *Scope) notInScope(d Destination, name string) string {
	switch {
	case d.Service.IsZero():
		return fmt.Sprintf("%s is no service in the inventory and no ServiceEntry in the sidecar's scope names it (by host, from the flow's SNI or HTTP Host, or by address), so it is not in the sidecar's registry", name)
	case s.hidden(d.Service):
		if svc := s.hiddenService(d.Service); svc != nil && exportTo(svc) == nil {
			return fmt.Sprintf("%s has no %s annotation and the mesh's defaultServiceExportTo hides it from namespace %s (%s)", d.Service, ExportToAnnotation, s.Namespace, s.exportToRule())
		}
		return fmt.Sprintf("%s is hidden from namespace %s by its %s annotation", d.Service, s.Namespace, ExportToAnnotation)
	case s.Excluded[d.Service] != "":
		return fmt.Sprintf("egress host %s of Sidecar %s excludes %s (Istio %s: a leading ~ on an egress host's namespace excludes, from 1.31 on)", s.Excluded[d.Service], s.Sidecar.Describe(), d.Service, s.Version)
	case s.Find(d.Service) != nil:
		return fmt.Sprintf("%s is in scope only on other ports (an egress listener with a port imported it)", d.Service)
	case s.Sidecar == nil:
		return fmt.Sprintf("%s is not exported to namespace %s", d.Service, s.Namespace)
	}
	return fmt.Sprintf("Sidecar %s applies and its egress hosts (%s) do not import %s", s.Sidecar.Describe(), strings.Join(s.Sidecar.EgressHosts(), ", "), d.Service)
}

// hiddenService is the service exportTo hid, nil when none.
func (s *Scope) hiddenService(ref inventory.Ref) *inventory.Service {
	for _, svc := range s.Hidden {
		if svc.Ref == ref {
			return svc
		}
	}
	return nil
}

// exportToRule names the reading of defaultServiceExportTo of the scope's
// Istio version.
func (s *Scope) exportToRule() string {
	if s.Version.AtLeast(V1_31) {
		return fmt.Sprintf("Istio %s: the default is read like the annotation, any * public, . and names exporting to those namespaces", s.Version)
	}
	return fmt.Sprintf("Istio %s: before 1.31 any . in the default makes a service private, else * public; names are ignored", s.Version)
}

// matchEntryFor is matchEntry for a destination that is no Kubernetes
// service.
func (s *Scope) matchEntryFor(d Destination) *Import {
	if !d.Service.IsZero() || !d.Addr.IsValid() {
		return nil
	}
	return s.matchEntry(d)
}
