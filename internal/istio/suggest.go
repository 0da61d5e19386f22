package istio

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// SuggestOptions change what Suggest proposes.
type SuggestOptions struct {
	// PerWorkload proposes one Sidecar per workload, with a
	// workloadSelector, instead of one per namespace.
	PerWorkload bool
	// From holds existing Sidecars to merge the proposal into; nil for none.
	From *Config
	// OwnNamespace adds "./*" to every Sidecar proposed without From: a
	// namespace's services reach each other through it even when the
	// captures did not show them doing so, as a Sidecar in place would have
	// let them.
	OwnNamespace bool
}

// Suggestion is the set of Sidecar objects that keep every observed
// destination in the mesh.
type Suggestion struct {
	Sidecars []SuggestedSidecar
	// Outside lists destinations the inventory does not know, which no
	// Sidecar can bring into the mesh: a ServiceEntry can.
	Outside []OutsideDestination
	// Unattributed counts flows whose client is not a known pod with a
	// sidecar; no Sidecar governs them.
	Unattributed int
}

// SuggestedSidecar is one proposed (or merged) Sidecar.
type SuggestedSidecar struct {
	inventory.Ref
	// Selector is the workloadSelector; nil for a namespace's default.
	Selector map[string]string
	// Hosts are the egress hosts, each with the traffic that needs it.
	Hosts []SuggestedHost
	// Existing is the Sidecar of --from this one merges into; nil for a new
	// one. Its other fields and listeners are kept.
	Existing *Sidecar
	// Clients are the pods whose traffic it covers.
	Clients []string
	// Note is said in a comment above it (labels unknown, and such).
	Note string
}

// SuggestedHost is one egress host and why it is there.
type SuggestedHost struct {
	Host Host
	// Evidence is "default/my-shell: 2 flows, passthrough", or "" for
	// istio-system/*.
	Evidence string
	// Added is true for a host Existing did not already cover.
	Added bool
	// CoveredBy names the existing host that already covers it, when not
	// Added and Existing is set.
	CoveredBy string
}

// OutsideDestination is an observed destination outside the inventory.
type OutsideDestination struct {
	Addr    netip.AddrPort
	Verdict report.Verdict
	// Name is what the packets named: the SNI or HTTP Host (without its
	// port). SNI and HTTP say which the traffic carried.
	Name string
	SNI  string
	HTTP bool
	// Namespace is where the ServiceEntry proposed for it goes: its first
	// client's; empty for a destination that is no external address.
	Namespace string
	Clients   []string
	Flows     int
}

// controlPlaneHost is added to every proposal: the sidecar reaches istiod
// and the gateways through it.
var controlPlaneHost = Host{Namespace: DefaultRootNamespace, DNSName: "*"}

// Suggest proposes Sidecars from the flows of a report: for each namespace (or
// workload) whose pods were clients in the captures, egress hosts
// "namespace/fqdn" for every service they reached, whatever the verdict
// (passthrough flows are the ones the proposal brings back into the mesh),
// plus "istio-system/*". Destinations that are no service are listed in
// Outside.
func Suggest(flows iter.Seq[*report.Flow], idx *inventory.Index, opts SuggestOptions) *Suggestion {
	sg := &Suggestion{}
	type hostUse struct {
		flows    map[string]int
		verdicts []string
	}
	groups := map[string]*SuggestedSidecar{}
	uses := map[string]map[Host]*hostUse{}
	outside := map[netip.AddrPort]*OutsideDestination{}
	// use records that p's traffic needs egress host h in its Sidecar.
	use := func(p *inventory.Pod, h Host, verdict string) {
		key, sc := groupOf(p, opts.PerWorkload)
		if groups[key] == nil {
			groups[key] = sc
			uses[key] = map[Host]*hostUse{}
		}
		g := groups[key]
		g.Clients = appendNew(g.Clients, p.Ref.String())
		u := uses[key][h]
		if u == nil {
			u = &hostUse{flows: map[string]int{}}
			uses[key][h] = u
		}
		u.flows[p.Ref.String()]++
		u.verdicts = appendNew(u.verdicts, verdict)
	}
	for f := range flows {
		var p *inventory.Pod
		if !f.ClientPod.IsZero() && idx != nil {
			p = idx.Pod(f.ClientPod)
		}
		if p == nil || p.Sidecar == inventory.Absent || p.HostNetwork || p.Namespace == "" {
			sg.Unattributed++
			continue
		}
		svc := f.Service
		if svc.IsZero() || svc.Namespace == "" {
			if f.Verdict == report.External || f.Verdict == report.Unknown || f.Verdict == report.PodDirect || f.Verdict == report.Node {
				d := outside[f.Server]
				if d == nil {
					d = &OutsideDestination{Addr: f.Server, Verdict: f.Verdict, Name: cmp.Or(f.SNI, hostOnly(f.HTTPHost)),
						SNI: f.SNI, HTTP: f.HTTPRequest != ""}
					outside[f.Server] = d
				}
				d.Flows++
				d.Clients = appendNew(d.Clients, p.Ref.String())
				if d.Verdict != report.External {
					continue
				}
				// The ServiceEntry proposed for it lives in the first
				// client's namespace; each client's Sidecar imports it.
				if d.Namespace == "" {
					d.Namespace = p.Namespace
				}
				host, _, _ := d.entryHost()
				use(p, Host{Namespace: d.Namespace, DNSName: host}, "external, ServiceEntry proposed")
			}
			continue
		}
		use(p, Host{Namespace: svc.Namespace, DNSName: ServiceHost(svc.Namespace, svc.Name)}, f.Verdict.String())
	}
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		g := groups[key]
		for _, h := range slices.SortedFunc(maps.Keys(uses[key]), func(a, b Host) int { return strings.Compare(a.String(), b.String()) }) {
			u := uses[key][h]
			var parts []string
			for _, client := range slices.Sorted(maps.Keys(u.flows)) {
				parts = append(parts, fmt.Sprintf("%s %d %s", client, u.flows[client], plural(u.flows[client], "flow")))
			}
			g.Hosts = append(g.Hosts, SuggestedHost{Host: h, Evidence: strings.Join(parts, ", ") + ", " + strings.Join(u.verdicts, "+"), Added: true})
		}
		if opts.OwnNamespace && opts.From == nil {
			own := Host{Namespace: NamespaceCurrent, DNSName: "*"}
			g.Hosts = append([]SuggestedHost{{Host: own, Evidence: "the namespace's own services, observed or not", Added: true}}, g.Hosts...)
		}
		g.Hosts = append(g.Hosts, SuggestedHost{Host: controlPlaneHost, Evidence: "istiod and the gateways", Added: true})
		sg.Sidecars = append(sg.Sidecars, *g)
	}
	if opts.From != nil {
		sg.merge(opts.From)
	}
	for _, addr := range slices.SortedFunc(maps.Keys(outside), netip.AddrPort.Compare) {
		sg.Outside = append(sg.Outside, *outside[addr])
	}
	return sg
}

// groupOf returns the group a client pod's traffic is proposed under, and
// an empty Sidecar for it.
func groupOf(p *inventory.Pod, perWorkload bool) (string, *SuggestedSidecar) {
	ns := &SuggestedSidecar{Ref: inventory.Ref{Namespace: p.Namespace, Name: "default"}}
	if !perWorkload {
		return p.Namespace, ns
	}
	sel, name := workloadSelector(p)
	if sel == nil {
		ns.Note = fmt.Sprintf("the inventory does not list the labels of %s, so its traffic is proposed for the whole namespace (give kubectl get pods --show-labels for a workloadSelector)", p.Ref)
		return p.Namespace, ns
	}
	return p.Namespace + "/" + selectorString(sel), &SuggestedSidecar{Ref: inventory.Ref{Namespace: p.Namespace, Name: name}, Selector: sel}
}

// volatileLabels are set per pod or by Istio and do not select a workload.
var volatileLabels = []string{
	"pod-template-hash", "controller-revision-hash", "pod-template-generation", "statefulset.kubernetes.io/pod-name",
	"apps.kubernetes.io/pod-index", "security.istio.io/tlsMode", "service.istio.io/canonical-name",
	"service.istio.io/canonical-revision",
}

// workloadSelector picks the labels that select a pod's workload: app,
// else app.kubernetes.io/name, else run (kubectl run), else all its stable
// labels; and a name for the Sidecar. nil when the labels are unknown or
// none is stable.
func workloadSelector(p *inventory.Pod) (map[string]string, string) {
	if p.Labels == nil {
		return nil, ""
	}
	for _, k := range []string{"app", "app.kubernetes.io/name", "run"} {
		if v := p.Labels[k]; v != "" {
			return map[string]string{k: v}, v
		}
	}
	sel := map[string]string{}
	for k, v := range p.Labels {
		if !slices.Contains(volatileLabels, k) {
			sel[k] = v
		}
	}
	if len(sel) == 0 {
		return nil, ""
	}
	return sel, p.Name
}

// merge folds the proposal into existing Sidecars: a proposed Sidecar with
// the namespace and selector of an existing one keeps that one's name, its
// listeners and other fields, and adds only the hosts it does not cover.
// Existing Sidecars no traffic concerned are kept unchanged.
func (sg *Suggestion) merge(from *Config) {
	used := map[*Sidecar]bool{}
	for i := range sg.Sidecars {
		g := &sg.Sidecars[i]
		for _, sc := range from.Sidecars {
			if sc.Namespace != g.Namespace || !maps.Equal(sc.Selector, g.Selector) || (sc.Selector == nil) != (g.Selector == nil) {
				continue
			}
			g.Existing, g.Ref = sc, sc.Ref
			used[sc] = true
			for j := range g.Hosts {
				h := &g.Hosts[j]
				if by, ok := covered(sc, h.Host); ok {
					h.Added, h.CoveredBy = false, by
				}
			}
			break
		}
	}
	for _, sc := range from.Sidecars {
		if !used[sc] {
			sg.Sidecars = append(sg.Sidecars, SuggestedSidecar{Ref: sc.Ref, Selector: sc.Selector, Existing: sc,
				Note: "unchanged: the captures hold no traffic of its workloads"})
		}
	}
	slices.SortStableFunc(sg.Sidecars, func(a, b SuggestedSidecar) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
}

// covered reports whether a port-less egress listener of sc already imports
// host h (an FQDN or "*" of a namespace), and by which host.
func covered(sc *Sidecar, h Host) (string, bool) {
	listeners := sc.Egress
	if len(listeners) == 0 {
		return "*/* (no egress)", true
	}
	for _, l := range listeners {
		if l.Port != 0 {
			continue
		}
		for _, e := range l.Hosts {
			ns := e.Namespace
			if ns == NamespaceCurrent {
				ns = sc.Namespace
			}
			if (ns == h.Namespace || ns == NamespaceAny) && (e.DNSName == "*" || matchesName(e.DNSName, h.DNSName) && h.DNSName != "*") {
				return e.String(), true
			}
		}
	}
	return "", false
}

// Added lists the hosts a merged Sidecar gains.
func (s *SuggestedSidecar) Added() []SuggestedHost {
	var out []SuggestedHost
	for _, h := range s.Hosts {
		if h.Added {
			out = append(out, h)
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// hostOnly is an HTTP Host without its port.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}
