package istio

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Annotate fills the expected path of every flow and summary row of a
// report (now for a collected one, as its flows are made for a streamed
// one) from the Sidecar objects and mesh config, explains each
// difference from the observed verdict, and records what it used in
// r.Mesh. Flows whose client is not a known pod get no expectation. One
// warning per summary row whose observed and expected paths differ says
// so, after the configuration's own warnings (ambiguous Sidecars, unknown
// labels).
//
// inv must be the inventory the report was made with. cfg may be empty:
// every pod then has the default scope (every exported service).
func Annotate(r *engine.Report, inv *inventory.Inventory, cfg *Config) {
	if inv == nil {
		inv = &inventory.Inventory{}
	}
	if cfg == nil {
		cfg = &Config{}
	}
	a := &annotator{cfg: cfg, idx: inv.Index(), scopes: map[inventory.Ref]*Scope{}, known: map[inventory.Ref]bool{}}
	a.services = slices.Clone(inv.Services)
	for _, s := range inv.Services {
		a.known[s.Ref] = true
	}
	r.Mesh = cfg.Facts()
	r.Annotate(a)
}

// Observe learns the services named only by an Istio SNI: they are matched
// by their host name, on any port.
func (a *annotator) Observe(f *engine.Flow) {
	if ref := parseRef(f.Service); !ref.IsZero() && !a.known[ref] {
		a.known[ref] = true
		a.services = append(a.services, &inventory.Service{Ref: ref})
	}
}

// Annotate sets the flow's expected path.
func (a *annotator) Annotate(f *engine.Flow) { a.flow(f) }

// Finish orders each summary row's expected paths and warns about the
// configuration, the scopes, and every row whose traffic took another path
// than predicted.
func (a *annotator) Finish(r *engine.Report) {
	var warnings []string
	warnings = append(warnings, a.cfg.Warnings...)
	for _, pod := range a.order {
		for _, w := range a.scopes[pod].Warnings {
			warnings = appendNew(warnings, pod.String()+": "+w)
		}
	}
	for i := range r.Summary {
		row := &r.Summary[i]
		row.Expected = sortPaths(row.Expected)
		if row.Expected != "" && row.Expected != row.Verdict.String() {
			warnings = append(warnings, fmt.Sprintf("%s → %s: observed %s, expected %s: %s",
				row.Client, row.Destination, row.Verdict, row.Expected, row.ExpectedWhy))
		}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	r.Warnings = append(r.Warnings, warnings...)
}

// Facts describes the configuration for a report.
func (c *Config) Facts() *engine.MeshFacts {
	f := &engine.MeshFacts{Files: []string{}, Sidecars: []string{}, RootNamespace: c.RootNamespace()}
	f.Files = append(f.Files, c.Files...)
	for _, sc := range c.Sidecars {
		f.Sidecars = append(f.Sidecars, sc.Ref.String()+" from "+sc.From.String())
	}
	if c.Mesh != nil {
		f.MeshConfig = c.Mesh.From.String()
	}
	p, _ := c.MeshPolicy()
	f.OutboundTrafficPolicy = p.String()
	return f
}

type annotator struct {
	cfg      *Config
	idx      *inventory.Index
	services []*inventory.Service
	scopes   map[inventory.Ref]*Scope
	order    []inventory.Ref
	// known holds the services of the inventory and those Observe found.
	known map[inventory.Ref]bool
}

func (a *annotator) scope(pod *inventory.Pod) *Scope {
	if s, ok := a.scopes[pod.Ref]; ok {
		return s
	}
	s := a.cfg.ScopeFor(pod, a.services)
	a.scopes[pod.Ref] = s
	a.order = append(a.order, pod.Ref)
	return s
}

func (a *annotator) flow(f *engine.Flow) {
	if f.ClientPod == "" {
		return
	}
	pod := a.idx.Pod(parseRef(f.ClientPod))
	if pod == nil {
		return
	}
	d := Destination{Service: parseRef(f.Service), Port: uint16(f.ServicePort), Proto: f.Proto, Addr: f.Server}
	if d.Port == 0 {
		if ap, err := netip.ParseAddrPort(f.Server); err == nil {
			d.Port = ap.Port()
		}
	}
	s := a.scope(pod)
	exp, ok := s.Expect(d, pod.Sidecar, pod.HostNetwork)
	if !ok {
		return
	}
	f.Expected = exp.Path.String()
	if f.Expected != f.Verdict.String() {
		f.ExpectedWhy = explain(exp, f.Verdict, pod, s.Sidecar)
	}
}

// explain says how observed can differ from the prediction exp, in plain
// words: the prediction's reason, what was seen, and what can cause it. sc
// is the Sidecar that applies, nil for none.
func explain(exp Expectation, observed engine.Verdict, pod *inventory.Pod, sc *Sidecar) string {
	noSidecar := "the client may have no sidecar (not injected, or started before injection was enabled)"
	switch pod.Sidecar {
	case inventory.Absent:
		noSidecar = "the inventory says the client has no istio-proxy container"
	case inventory.Unknown:
		noSidecar = "the client may have no sidecar (the inventory does not list its containers)"
	}
	var seen, causes string
	switch {
	case exp.Path == ExpectSidecarDNAT && observed == engine.Passthrough:
		seen = "yet the flow went to the ClusterIP, outside the mesh"
		causes = noSidecar + "; the port or address may be excluded from interception (traffic.sidecar.istio.io/excludeOutboundPorts or excludeOutboundIPRanges); or the proxy has not received the configuration that imports the service (istioctl proxy-status)"
	case exp.Path == ExpectPassthrough && observed == engine.SidecarDNAT:
		seen = "yet the flow was DNATed to a pod, as a sidecar that knows the service does"
		causes = "the proxy has not received this configuration yet (istioctl proxy-status); or another Sidecar applies: one with a workloadSelector matching the pod's labels as they are in the cluster, which the given files do not hold"
		if sc != nil && sc.Selector != nil {
			causes = "the proxy has not received this configuration yet (istioctl proxy-status); or the workloadSelector of " + sc.Ref.String() + " does not match the pod's labels as they are in the cluster, so another Sidecar (or none) applies"
		}
		if pod.Sidecar == inventory.Absent {
			causes = "the client picked the pod itself (a headless service, client-side load balancing), or the inventory is out of date"
		}
	case exp.Path == ExpectBlocked:
		seen = fmt.Sprintf("yet the capture shows it leaving the pod (%s)", observed)
		causes = "the proxy has not received the configuration (istioctl proxy-status); " + noSidecar + "; or the port or address is excluded from interception"
	case observed == engine.Unknown:
		return exp.Why + "; the capture and inventory do not tell which path the flow took"
	default:
		seen = fmt.Sprintf("yet the flow was observed as %s", observed)
		causes = "the inventory may not match the cluster at the time of the capture"
	}
	return exp.Why + "; " + seen + ": " + causes
}

// sortPaths orders the paths of a row's Expected, "passthrough+sidecar-dnat",
// as ParsePath numbers them.
func sortPaths(joined string) string {
	if !strings.Contains(joined, "+") {
		return joined
	}
	paths := strings.Split(joined, "+")
	slices.SortFunc(paths, func(x, y string) int {
		px, _ := ParsePath(x)
		py, _ := ParsePath(y)
		return int(px) - int(py)
	})
	return strings.Join(paths, "+")
}

// parseRef reads "namespace/name" or "name".
func parseRef(s string) inventory.Ref {
	if s == "" {
		return inventory.Ref{}
	}
	ns, name, ok := strings.Cut(s, "/")
	if !ok {
		return inventory.Ref{Name: s}
	}
	return inventory.Ref{Namespace: ns, Name: name}
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
