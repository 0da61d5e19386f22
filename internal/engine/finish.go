package engine

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Report judges every flow read so far and returns the finished report, its
// flows made. It may be called more than once (live mode redraws with it);
// each call builds a new report.
func (a *Analyzer) Report() *Report {
	r := a.Stream()
	r.Collect()
	return r
}

// Stream returns the report of every flow read so far with its flows still
// to be made: EachFlow makes them one at a time, so that a renderer can write
// a report of a million flows while holding only the flow table and 24 bytes
// a connection (see stream.go). Collect makes them all at once.
func (a *Analyzer) Stream() *Report {
	o := &orienter{idx: a.idx}
	refs := a.connRefs(o)
	// Sorted as connections, on addresses rather than on the strings the
	// flows print them as.
	slices.SortFunc(refs, func(x, y connRef) int { return a.compareRefs(&x, &y) })
	s := &flowStream{a: a, o: o, cls: newClassifier(a.inv, a.idx), names: a.ifaceNames(), refs: refs}
	return &Report{Schema: SchemaAnalyze, Captures: a.captureFacts(), Inventory: a.inventoryFacts(), stream: s}
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

// flow makes the report Flow of the i-th connection.
func (s *flowStream) flow(i int) Flow {
	cn := s.a.expand(&s.refs[i], s.o)
	j := s.cls.judge(&cn)
	f := Flow{
		Proto:      strings.ToLower(protoName(cn.proto)),
		Client:     cn.client.String(),
		Server:     cn.server.String(),
		Verdict:    j.verdict,
		Evidence:   j.evidence,
		Handshake:  cn.handshake,
		ClientFrom: cn.clientFrom.String(),
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
	f.ClientPod = s.podAt(cn.client.Addr())
	f.ServerPod = s.podAt(cn.server.Addr())
	if cn.natTo.IsValid() {
		f.NATTo = cn.natTo.String()
		f.NATToPod = s.podAt(cn.natTo.Addr())
	}
	if cn.l7 != nil {
		f.SNI, f.ALPN = cn.l7.sni, cn.l7.alpn
		f.HTTPHost, f.HTTPRequest = cn.l7.httpHost, cn.l7.httpReq
		if cn.l7.incomplete && cn.l7.sni == "" {
			f.Evidence = append(f.Evidence, "a TLS ClientHello started but could not be read whole (cut by the snapshot length, or its segments are missing)")
		}
	}
	for _, li := range cn.legIDs() {
		if e := foldEvidence(s.a.table.at(li).folded); e != "" {
			f.Evidence = append(f.Evidence, e)
		}
	}
	if cn.packets == 0 && cn.dups > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("all %d packets of this flow were also seen as another flow's; they are counted there", cn.dups))
	}
	f.Interface = s.interfaces(cn.ifaces)
	return f
}

// interfaces names the interfaces of ids, comma-separated.
func (s *flowStream) interfaces(ids []int32) string {
	if len(ids) == 1 && int(ids[0]) < len(s.names) {
		return s.names[ids[0]]
	}
	var names []string
	for _, id := range ids {
		if int(id) < len(s.names) && s.names[id] != "" && !slices.Contains(names, s.names[id]) {
			names = append(names, s.names[id])
		}
	}
	return strings.Join(names, ",")
}

// podAt names the pod at addr, or "".
func (s *flowStream) podAt(addr netip.Addr) string {
	if s.a.idx == nil {
		return ""
	}
	o := s.a.idx.Owner(addr)
	if o.Kind != inventory.OwnerPod {
		return ""
	}
	name, ok := s.podNames[o.Pod]
	if !ok {
		name = o.Pod.Ref.String()
		if s.podNames == nil {
			s.podNames = map[*inventory.Pod]string{}
		}
		s.podNames[o.Pod] = name
	}
	return name
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
func (a *Analyzer) warnings(flows, ambiguous int) []string {
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
	if ambiguous > 0 {
		out = append(out, fmt.Sprintf("%d of %d flows rest on ambiguous evidence; their evidence says why", ambiguous, flows))
	}
	if flows == 0 && len(a.sources) > 0 {
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
