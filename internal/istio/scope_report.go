package istio

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Report describes the scope of pod for printing. warnings are added to
// the scope's own (the configuration's, the inventory's).
func (s *Scope) Report(pod *inventory.Pod, inv *inventory.Inventory, warnings []string) *report.Scope {
	r := &report.Scope{Schema: report.SchemaScope, Pod: pod.Ref, PodIPs: append([]netip.Addr{}, pod.IPs...), Why: s.Why,
		Egress: []string{"*/*"}, OutboundTrafficPolicy: s.Policy.String(), PolicyFrom: s.PolicyFrom,
		Clusters: []report.ScopeCluster{}, Warnings: []string{}}
	if s.Sidecar != nil {
		r.Sidecar, r.SidecarFrom, r.Egress = s.Sidecar.Ref, s.Sidecar.From.String(), s.Sidecar.EgressHosts()
	}
	for _, c := range s.Clusters(inv) {
		r.Clusters = append(r.Clusters, report.ScopeCluster{Name: c.Name, Service: c.Service, Port: c.Port,
			Endpoints: append([]netip.AddrPort{}, c.Endpoints...), EndpointsFrom: c.EndpointsFrom})
	}
	r.IstioVersion, r.IstioVersionFrom = s.Version.String(), s.VersionFrom
	r.Notes = append(r.Notes, s.Notes...)
	for _, h := range s.Hidden {
		r.Hidden = append(r.Hidden, h.Ref)
	}
	for _, w := range append(warnings, s.Warnings...) {
		r.Warnings = appendNew(r.Warnings, w)
	}
	return r
}
