package istio

import (
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Annotator returns the engine.Annotator that fills the expected path of
// every flow and summary row of a result from the Sidecar objects and mesh
// config, explains each difference from the observed verdict, and records
// what it used in the report's Mesh. Flows whose client is not a known pod
// get no expectation. One warning per summary row whose observed and
// expected paths differ says so, after the configuration's own warnings
// (ambiguous Sidecars, unknown labels).
//
// idx must index the inventory the result is made with (nil for none).
// cfg may be empty: every pod then has the default scope (every exported
// service).
func Annotator(inv *inventory.Inventory, idx *inventory.Index, cfg *Config) engine.Annotator {
	if inv == nil {
		inv = &inventory.Inventory{}
	}
	if idx == nil {
		idx = inv.Index()
	}
	if cfg == nil {
		cfg = &Config{}
	}
	a := &annotator{cfg: cfg, idx: idx, scopes: map[inventory.Ref]*Scope{}, known: map[inventory.Ref]bool{}}
	a.services = slices.Clone(inv.Services)
	for _, s := range inv.Services {
		a.known[s.Ref] = true
	}
	return a
}

type annotator struct {
	cfg      *Config
	idx      *inventory.Index
	services []*inventory.Service
	// known holds the services of the inventory and those Observe found.
	known map[inventory.Ref]bool

	// mu guards the scopes, made as flows from each pod are first
	// annotated; Annotate runs in every iteration of a result's flows.
	mu     sync.Mutex
	scopes map[inventory.Ref]*Scope
	order  []inventory.Ref
}

// Observe learns the services named only by an Istio SNI: they are matched
// by their host name, on any port.
func (a *annotator) Observe(f *report.Flow) {
	if ref := f.Service; !ref.IsZero() && !a.known[ref] {
		a.known[ref] = true
		a.services = append(a.services, &inventory.Service{Ref: ref})
	}
}

// Annotate sets the flow's expected path. Istio's own traffic (istio-agent
// to istiod, probes, scrapes) has none: the sidecar does not intercept it,
// so no Sidecar object decides its path.
func (a *annotator) Annotate(f *report.Flow) {
	if f.ClientPod.IsZero() || f.Verdict == report.Istio {
		return
	}
	pod := a.idx.Pod(f.ClientPod)
	if pod == nil {
		return
	}
	d := Destination{Service: f.Service, Port: f.ServicePort, Proto: f.Proto, Addr: f.Server}
	if f.SNI != "" {
		d.Names = append(d.Names, f.SNI)
	}
	if host, _, err := net.SplitHostPort(f.HTTPHost); err == nil {
		d.Names = append(d.Names, host)
	} else if f.HTTPHost != "" {
		d.Names = append(d.Names, f.HTTPHost)
	}
	if d.Port == 0 {
		d.Port = f.Server.Port()
	}
	s := a.scope(pod)
	exp, ok := s.Expect(d, pod.Sidecar, pod.HostNetwork)
	if !ok {
		return
	}
	f.Expected = exp.Path
	if !exp.Path.Matches(f.Verdict) {
		f.ExpectedWhy = explain(exp, f.Verdict, pod, s.Sidecar)
	}
}

// Finish records the configuration in the report and warns about it, the
// scopes, and every row whose traffic took another path than predicted.
func (a *annotator) Finish(r *report.Report) {
	r.Mesh = a.cfg.Facts()
	var warnings []string
	warnings = append(warnings, a.cfg.Warnings...)
	a.mu.Lock()
	for _, pod := range a.order {
		for _, w := range a.scopes[pod].Warnings {
			warnings = appendNew(warnings, pod.String()+": "+w)
		}
	}
	a.mu.Unlock()
	warnings = append(warnings, Mismatches(r.Summary)...)
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	r.Warnings = append(r.Warnings, warnings...)
}

// Mismatches returns the warning of each summary row whose traffic took
// another path than predicted. A report's rows are summed up from its flows,
// so a report made of other reports' flows (pcapcheck merge) gets its own
// from its own rows.
func Mismatches(rows []report.SummaryRow) []string {
	var warnings []string
	for _, row := range rows {
		if !row.Expected.IsZero() && !row.Expected.Matches(row.Verdict) {
			warnings = append(warnings, fmt.Sprintf("%s → %s: observed %s, expected %s: %s",
				row.Client, row.Destination, row.Verdict, row.Expected, row.ExpectedWhy))
		}
	}
	return warnings
}

// Facts describes the configuration for a report.
func (c *Config) Facts() *report.MeshFacts {
	f := &report.MeshFacts{Files: []string{}, Sidecars: []string{}, RootNamespace: c.RootNamespace()}
	f.Files = append(f.Files, c.Files...)
	for _, sc := range c.Sidecars {
		f.Sidecars = append(f.Sidecars, sc.Ref.String()+" from "+sc.From.String())
	}
	if c.Mesh != nil {
		f.MeshConfig = c.Mesh.From.String()
	}
	p, _ := c.MeshPolicy()
	f.OutboundTrafficPolicy = p.String()
	v, from := c.Istio()
	f.IstioVersion, f.IstioVersionFrom = v.String(), from
	return f
}

func (a *annotator) scope(pod *inventory.Pod) *Scope {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.scopes[pod.Ref]; ok {
		return s
	}
	s := a.cfg.ScopeFor(pod, a.services)
	a.scopes[pod.Ref] = s
	a.order = append(a.order, pod.Ref)
	return s
}

// explain says how observed can differ from the prediction exp, in plain
// words: the prediction's reason, what was seen, and what can cause it. sc
// is the Sidecar that applies, nil for none.
func explain(exp Expectation, observed report.Verdict, pod *inventory.Pod, sc *Sidecar) string {
	noSidecar := "the client may have no sidecar (not injected, or started before injection was enabled)"
	switch pod.Sidecar {
	case inventory.Absent:
		noSidecar = "the inventory says the client has no istio-proxy container"
	case inventory.Unknown:
		noSidecar = "the client may have no sidecar (the inventory does not list its containers)"
	}
	var seen, causes string
	switch {
	case exp.Path == report.ExpectSidecarDNAT && observed == report.Passthrough:
		seen = "yet the flow went to the ClusterIP, outside the mesh"
		causes = noSidecar + "; the port or address may be excluded from interception (traffic.sidecar.istio.io/excludeOutboundPorts or excludeOutboundIPRanges); or the proxy has not received the configuration that imports the service (istioctl proxy-status)"
	case exp.Path == report.ExpectPassthrough && observed == report.SidecarDNAT:
		seen = "yet the flow was DNATed to a pod, as a sidecar that knows the service does"
		causes = "the proxy has not received this configuration yet (istioctl proxy-status); or another Sidecar applies: one with a workloadSelector matching the pod's labels as they are in the cluster, which the given files do not hold"
		if sc != nil && sc.Selector != nil {
			causes = "the proxy has not received this configuration yet (istioctl proxy-status); or the workloadSelector of " + sc.Ref.String() + " does not match the pod's labels as they are in the cluster, so another Sidecar (or none) applies"
		}
		if pod.Sidecar == inventory.Absent {
			causes = "the client picked the pod itself (a headless service, client-side load balancing), or the inventory is out of date"
		}
	case exp.Path == report.ExpectBlocked:
		seen = fmt.Sprintf("yet the capture shows it leaving the pod (%s)", observed)
		causes = "the proxy has not received the configuration (istioctl proxy-status); " + noSidecar + "; or the port or address is excluded from interception"
	case observed == report.Unknown:
		return exp.Why + "; the capture and inventory do not tell which path the flow took"
	default:
		seen = fmt.Sprintf("yet the flow was observed as %s", observed)
		causes = "the inventory may not match the cluster at the time of the capture"
	}
	return exp.Why + "; " + seen + ": " + causes
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
