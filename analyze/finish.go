package analyze

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pcapcheck/pcapcheck/analyze/inventory"
	"github.com/pcapcheck/pcapcheck/capture"
)

// Report judges every flow read so far and returns the finished report. It
// may be called more than once (live mode redraws with it); each call
// builds a new report.
func (a *Analyzer) Report() *Report {
	o := &orienter{idx: a.idx}
	cls := newClassifier(a.inv, a.idx)
	names := a.ifaceNames()
	conns := a.connections(o)
	// Sorted as connections, on addresses rather than on the strings the
	// flows print them as.
	slices.SortFunc(conns, compareConns)
	r := &Report{Schema: SchemaAnalyze, Captures: a.captureFacts(), Inventory: a.inventoryFacts()}
	r.Flows = make([]Flow, 0, len(conns))
	for i := range conns {
		r.Flows = append(r.Flows, a.flowOf(&conns[i], cls, names))
	}
	r.Summary = summarize(r.Flows)
	r.Warnings = a.warnings(r.Flows)
	return r
}

// compareConns orders connections as the report lists flows: by first
// packet, protocol (TCP first), client, server, and the NAT target.
func compareConns(x, y conn) int {
	return cmp.Or(cmp.Compare(x.first, y.first), cmp.Compare(x.proto, y.proto),
		x.client.Compare(y.client), x.server.Compare(y.server), x.natTo.Compare(y.natTo))
}

// compareAddrPort orders IP:PORT strings by address, then port, so that
// 10.0.0.9 sorts before 10.0.0.10.
func compareAddrPort(x, y string) int {
	a, errA := netip.ParseAddrPort(x)
	b, errB := netip.ParseAddrPort(y)
	if errA != nil || errB != nil {
		return cmp.Compare(x, y)
	}
	return a.Compare(b)
}

// flowOf renders one connection as a report Flow.
func (a *Analyzer) flowOf(cn *conn, cls *classifier, ifaceNames []string) Flow {
	j := cls.judge(cn)
	f := Flow{
		Proto:      strings.ToLower(protoName(cn.proto)),
		Client:     cn.client.String(),
		Server:     cn.server.String(),
		Verdict:    j.verdict,
		Evidence:   j.evidence,
		Handshake:  cn.handshake,
		ClientFrom: cn.clientFrom,
		Packets:    cn.packets,
		Bytes:      cn.bytes,
		Duplicates: cn.dups,
		First:      time.Unix(0, cn.first).UTC(),
		Last:       time.Unix(0, cn.last).UTC(),
	}
	if !j.service.IsZero() {
		f.Service = j.service.String()
		f.ServicePort = int(j.servicePort)
	}
	f.ClientPod = a.podAt(cn.client.Addr())
	f.ServerPod = a.podAt(cn.server.Addr())
	if cn.natTo.IsValid() {
		f.NATTo = cn.natTo.String()
		f.NATToPod = a.podAt(cn.natTo.Addr())
	}
	if cn.l7 != nil {
		f.SNI, f.ALPN = cn.l7.sni, cn.l7.alpn
		f.HTTPHost, f.HTTPRequest = cn.l7.httpHost, cn.l7.httpReq
		if cn.l7.incomplete && cn.l7.sni == "" {
			f.Evidence = append(f.Evidence, "a TLS ClientHello started but could not be read whole (cut by the snapshot length, or its segments are missing)")
		}
	}
	for _, li := range cn.legs {
		if e := foldEvidence(a.table.at(li).folded); e != "" {
			f.Evidence = append(f.Evidence, e)
		}
	}
	if cn.packets == 0 && cn.dups > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("all %d packets of this flow were also seen as another flow's; they are counted there", cn.dups))
	}
	var ifaces []string
	for _, id := range cn.ifaces {
		if int(id) < len(ifaceNames) && ifaceNames[id] != "" && !slices.Contains(ifaces, ifaceNames[id]) {
			ifaces = append(ifaces, ifaceNames[id])
		}
	}
	f.Interface = strings.Join(ifaces, ",")
	return f
}

// podAt names the pod at addr, or "".
func (a *Analyzer) podAt(addr netip.Addr) string {
	if a.idx == nil {
		return ""
	}
	if o := a.idx.Owner(addr); o.Kind == inventory.OwnerPod {
		return o.Pod.Ref.String()
	}
	return ""
}

// captureFacts describes every source read.
func (a *Analyzer) captureFacts() []Capture {
	out := make([]Capture, 0, len(a.sources))
	for _, s := range a.sources {
		info := s.info
		c := Capture{
			File: info.Name, Format: info.Format.String(), Compressed: info.Compressed,
			LinkTypes: []string{}, Packets: info.Records, Decoded: info.Outcomes.Count(capture.Decoded),
			Complete: s.err == nil, TimeOfDayOnly: info.Undated,
		}
		for _, l := range info.LinkTypes() {
			if l != capture.LinkUnknown {
				c.LinkTypes = append(c.LinkTypes, l.String())
			}
		}
		for _, ifc := range info.Interfaces {
			if ifc.Name != "" && !slices.Contains(c.Interfaces, ifc.Name) {
				c.Interfaces = append(c.Interfaces, ifc.Name)
			}
		}
		for _, o := range capture.Outcomes() {
			n := info.Outcomes.Count(o)
			if n == 0 || o == capture.Decoded {
				continue
			}
			m := &c.Skipped
			if o.IsProblem() {
				m = &c.Problems
			}
			if *m == nil {
				*m = map[string]int{}
			}
			(*m)[o.String()] = n
		}
		if !info.First.IsZero() {
			first, last := info.First, info.Last
			c.First, c.Last = &first, &last
		}
		out = append(out, c)
	}
	return out
}

func (a *Analyzer) inventoryFacts() InventoryFacts {
	facts := InventoryFacts{Files: []string{}}
	if a.inv == nil {
		return facts
	}
	for _, f := range a.inv.Files {
		facts.Files = append(facts.Files, f.Path)
	}
	facts.Pods, facts.Services, facts.Endpoints, facts.Nodes = len(a.inv.Pods), len(a.inv.Services), len(a.inv.Endpoints), len(a.inv.Nodes)
	for _, r := range a.inv.Registries {
		name := r.Proxy.String()
		if name == "" {
			name = "(proxy not named)"
		}
		facts.Registries = append(facts.Registries, name+" from "+r.From.String())
	}
	return facts
}

// warnings collects what the reader of a report must know: input problems,
// captures cut short, inventory conflicts, and ambiguous verdicts.
func (a *Analyzer) warnings(flows []Flow) []string {
	out := []string{}
	for _, s := range a.sources {
		out = append(out, sourceWarnings(s)...)
	}
	if a.inv != nil {
		out = append(out, a.inv.Warnings...)
	}
	if a.idx != nil {
		out = append(out, a.idx.Warnings()...)
	}
	if w := a.foldWarning(); w != "" {
		out = append(out, w)
	}
	ambiguous := 0
	for _, f := range flows {
		if isAmbiguous(f.Evidence) {
			ambiguous++
		}
	}
	if ambiguous > 0 {
		out = append(out, fmt.Sprintf("%d of %d flows rest on ambiguous evidence; their evidence says why", ambiguous, len(flows)))
	}
	if len(flows) == 0 && len(a.sources) > 0 {
		out = append(out, "no TCP or UDP packets were found in the captures")
	}
	return out
}

func sourceWarnings(s sourceRun) []string {
	info := s.info
	var out []string
	for _, o := range capture.Outcomes() {
		n := info.Outcomes.Count(o)
		if n == 0 || !o.IsProblem() || o == capture.UnsupportedLink {
			continue
		}
		unit := "record"
		if info.Format == capture.FormatText {
			unit = "line"
		}
		out = append(out, fmt.Sprintf("%s: %d %s %ss skipped (first: %s %d)", info.Name, n, o, unit, unit, info.Outcomes.First(o)))
	}
	links := make([]capture.LinkType, 0, len(info.Unsupported))
	for l := range info.Unsupported {
		links = append(links, l)
	}
	slices.Sort(links)
	for _, l := range links {
		out = append(out, fmt.Sprintf("%s: %d frames of link type %s (%d) are not decoded", info.Name, info.Unsupported[l], l, uint32(l)))
	}
	for _, n := range info.Notes {
		out = append(out, info.Name+": "+n)
	}
	if s.err != nil {
		out = append(out, fmt.Sprintf("%v; the %d records before it are analyzed", s.err, info.Records))
	}
	return out
}
