package istio

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// SchemaScope names the JSON and YAML document of `pcapcheck scope`.
const SchemaScope = "pcapcheck/scope/v1"

// ScopeReport is the predicted registry of one pod's sidecar: the document
// `pcapcheck scope` prints.
type ScopeReport struct {
	Schema string   `json:"schema" yaml:"schema"`
	Pod    string   `json:"pod" yaml:"pod"`
	PodIPs []string `json:"pod_ips" yaml:"pod_ips"`
	// Sidecar is the Sidecar that applies, "namespace/name"; omitted when
	// none does. SidecarFrom is where it was read.
	Sidecar     string `json:"sidecar,omitempty" yaml:"sidecar,omitempty"`
	SidecarFrom string `json:"sidecar_from,omitempty" yaml:"sidecar_from,omitempty"`
	// Why says how the Sidecar was chosen, or why none applies.
	Why string `json:"why" yaml:"why"`
	// Egress lists the egress hosts in force ("*/*" without Sidecar).
	Egress                []string `json:"egress" yaml:"egress"`
	OutboundTrafficPolicy string   `json:"outbound_traffic_policy" yaml:"outbound_traffic_policy"`
	PolicyFrom            string   `json:"policy_from" yaml:"policy_from"`
	// Clusters are the outbound clusters the sidecar has, with the
	// endpoints when the inventory tells them.
	Clusters []ScopeCluster `json:"clusters" yaml:"clusters"`
	// Hidden lists services an egress host names but exportTo hides.
	Hidden   []string `json:"hidden,omitempty" yaml:"hidden,omitempty"`
	Warnings []string `json:"warnings" yaml:"warnings"`
}

// ScopeCluster is one predicted outbound cluster.
type ScopeCluster struct {
	Name      string   `json:"name" yaml:"name"`
	Service   string   `json:"service" yaml:"service"`
	Port      int      `json:"port" yaml:"port"`
	Endpoints []string `json:"endpoints" yaml:"endpoints"`
	// EndpointsFrom says how the endpoints are known; omitted when none is.
	EndpointsFrom string `json:"endpoints_from,omitempty" yaml:"endpoints_from,omitempty"`
}

// Report describes the scope of pod for printing. warnings are added to
// the scope's own (the configuration's, the inventory's).
func (s *Scope) Report(pod *inventory.Pod, inv *inventory.Inventory, warnings []string) *ScopeReport {
	r := &ScopeReport{Schema: SchemaScope, Pod: pod.Ref.String(), PodIPs: []string{}, Why: s.Why,
		Egress: []string{"*/*"}, OutboundTrafficPolicy: s.Policy.String(), PolicyFrom: s.PolicyFrom,
		Clusters: []ScopeCluster{}, Warnings: []string{}}
	for _, ip := range pod.IPs {
		r.PodIPs = append(r.PodIPs, ip.String())
	}
	if s.Sidecar != nil {
		r.Sidecar, r.SidecarFrom, r.Egress = s.Sidecar.Ref.String(), s.Sidecar.From.String(), s.Sidecar.EgressHosts()
	}
	for _, c := range s.Clusters(inv) {
		sc := ScopeCluster{Name: c.Name, Service: c.Service.String(), Port: int(c.Port), Endpoints: []string{}, EndpointsFrom: c.EndpointsFrom}
		for _, ep := range c.Endpoints {
			sc.Endpoints = append(sc.Endpoints, ep.String())
		}
		r.Clusters = append(r.Clusters, sc)
	}
	for _, h := range s.Hidden {
		r.Hidden = append(r.Hidden, h.Ref.String())
	}
	for _, w := range append(warnings, s.Warnings...) {
		r.Warnings = appendNew(r.Warnings, w)
	}
	return r
}

// WriteTable prints the report as `istioctl proxy-config endpoint` does,
// one line per endpoint sorted by address, after a header that says which
// configuration decided it. Clusters of no known endpoint come last, with
// "-". Strings from the inputs are printed with control characters spelled
// out.
func (r *ScopeReport) WriteTable(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 3, ' ', 0)
	pod := safe(r.Pod)
	if len(r.PodIPs) > 0 {
		pod += " (" + strings.Join(r.PodIPs, ", ") + ")"
	}
	fmt.Fprintf(tw, "POD\t%s\n", pod)
	sidecar := "none"
	if r.Sidecar != "" {
		sidecar = safe(r.Sidecar) + " (" + safe(r.SidecarFrom) + ")"
	}
	fmt.Fprintf(tw, "SIDECAR\t%s\n", sidecar)
	fmt.Fprintf(tw, "WHY\t%s\n", safe(r.Why))
	fmt.Fprintf(tw, "EGRESS\t%s\n", safe(strings.Join(r.Egress, ", ")))
	fmt.Fprintf(tw, "OUTBOUND\t%s (%s)\n", r.OutboundTrafficPolicy, safe(r.PolicyFrom))
	if len(r.Hidden) > 0 {
		fmt.Fprintf(tw, "HIDDEN\t%s (by %s)\n", safe(strings.Join(r.Hidden, ", ")), ExportToAnnotation)
	}
	fmt.Fprintf(tw, "CLUSTERS\t%d\n", len(r.Clusters))
	tw.Flush()

	type line struct {
		ep      netip.AddrPort
		cluster string
	}
	var lines []line
	var empty []string
	for _, c := range r.Clusters {
		if len(c.Endpoints) == 0 {
			empty = append(empty, c.Name)
			continue
		}
		for _, e := range c.Endpoints {
			ap, _ := netip.ParseAddrPort(e)
			lines = append(lines, line{ap, c.Name})
		}
	}
	slices.SortFunc(lines, func(a, b line) int { return cmp.Or(a.ep.Compare(b.ep), strings.Compare(a.cluster, b.cluster)) })
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 3, ' ', 0)
	fmt.Fprintf(tw, "ENDPOINT\tCLUSTER\n")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\n", l.ep, safe(l.cluster))
	}
	for _, c := range empty {
		fmt.Fprintf(tw, "-\t%s\n", safe(c))
	}
	tw.Flush()
	if len(r.Warnings) > 0 {
		b.WriteString("\nWARNINGS\n")
		for _, wn := range r.Warnings {
			b.WriteString("- " + safe(wn) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// safe spells out control characters, so that a name read from an input
// cannot drive the terminal.
func safe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
