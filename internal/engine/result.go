package engine

import (
	"iter"
	"net/netip"
	"slices"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Annotator adds to every flow of a result as it is made; package istio
// predicts expected paths with one. Annotate may be called from several
// goroutines at once (each iteration of Result.Flows runs its own).
type Annotator interface {
	// Observe sees every flow once, before any is annotated.
	Observe(f *report.Flow)
	// Annotate may set the flow's Expected and ExpectedWhy; the summary
	// rows gather them.
	Annotate(f *report.Flow)
	// Finish completes the report once its summary and warnings are made;
	// it may add warnings and the mesh facts.
	Finish(r *report.Report)
}

// Result is what an Analyzer read, frozen: the report's facts, summary and
// warnings, made once, and the flows, made anew from the flow table by
// every iteration of Flows. A Result never changes, holds nothing of the
// Analyzer that made it, and is safe for concurrent use.
type Result struct {
	d      *flowData
	refs   []connRef
	names  []string
	names1 []report.Interfaces // names as one-element lists, shared by the flows seen on one interface
	report report.Report
	in     inPod
	// judged holds, a connection, the index in judgements of what making
	// its flow decided (verdict, evidence, service, expected path), so
	// that Flows assembles the flows again without judging or annotating
	// them. Connections are many and what they are judged few: 4 bytes a
	// connection, where a judged each took 20 (issue 11's bench figures).
	// The lists judgements index are shared by the flows.
	judged     []int32
	judgements []judged
	evidence   [][]*report.Evidence
	services   []inventory.Ref
	whys       []string
}

// judged is what making a flow decided.
type judged struct {
	evidence, service, why int32 // indexes of Result's lists; -1 for none
	servicePort            uint16
	verdict                report.Verdict
	role                   report.Role
	intercepted            report.Interception
	expected               report.Path
}

// Result ends reading: the Analyzer hands what it read to the Result and
// must not be used again. The annotators see every flow (Observe) and then
// annotate each as it is made, for the summary now and for every iteration
// of Flows later.
func (a *Analyzer) Result(annotators ...Annotator) *Result {
	d := a.flowData
	a.flowData = nil
	return newResult(d, annotators)
}

// Snapshot is the report of what was read so far, its flows not listed;
// reading may go on. Live capture redraws its summary with it.
func (a *Analyzer) Snapshot(annotators ...Annotator) *report.Report {
	return newResult(a.flowData, annotators).Report()
}

func newResult(d *flowData, anns []Annotator) *Result {
	o := &orienter{idx: d.idx}
	refs := d.connRefs(o)
	// Sorted as connections, on addresses rather than on their text.
	slices.SortFunc(refs, func(x, y connRef) int { return d.compareRefs(&x, &y) })
	r := &Result{d: d, refs: refs, names: d.ifaceNames(), in: d.linkUpstreams(refs, o)}
	r.names1 = make([]report.Interfaces, len(r.names))
	for i, n := range r.names {
		if n != "" {
			r.names1[i] = report.Interfaces{n}
		}
	}
	m := r.maker()
	// Sized ahead: growing it cost more than its lookups at 20,000 flows.
	m.cls.judgedAddresses = make(map[addressKey]judgement, min(len(r.refs), maxJudgedAddresses))
	if len(anns) > 0 {
		var f report.Flow
		for i := range r.refs {
			f = m.flow(i)
			for _, an := range anns {
				an.Observe(&f)
			}
		}
	}
	// Each flow is judged and annotated once, here; Flows assembles them
	// again from what is kept.
	// One goroutine judges and annotates while this one keeps and sums
	// up, a batch at a time.
	var sum report.Summarizer
	in := interner{evidence: map[evidenceKey]int32{}, services: map[inventory.Ref]int32{}, whys: map[string]int32{},
		judgements: map[judged]int32{}, evidenceIDs: map[*report.Evidence]uint16{}, shortLists: map[uint64]int32{}}
	r.judged = make([]int32, len(r.refs))
	// Batches are handed back to be filled again: a million flows would
	// otherwise make half a gigabyte of garbage.
	batches, free := make(chan []report.Flow, 2), make(chan []report.Flow, 3)
	go func() {
		defer close(batches)
		batch := make([]report.Flow, 0, flowBatch)
		for i := range r.refs {
			// Annotated in its place in the batch: a flow whose address
			// went to an interface method would be allocated, 540 bytes a
			// flow.
			batch = append(batch, m.flow(i))
			for _, an := range anns {
				an.Annotate(&batch[len(batch)-1])
			}
			if len(batch) == flowBatch {
				batches <- batch
				select {
				case batch = <-free:
				default:
					batch = make([]report.Flow, 0, flowBatch)
				}
			}
		}
		batches <- batch
	}()
	i := 0
	for batch := range batches {
		for k := range batch {
			r.judged[i] = in.keep(r, &batch[k])
			sum.Add(&batch[k])
			i++
		}
		select {
		case free <- batch[:0]:
		default:
		}
	}
	r.report = report.Report{
		Schema: report.SchemaAnalyze, Captures: d.captureFacts(), Inventory: d.inventoryFacts(),
		Summary: sum.Rows(), Warnings: d.warnings(sum.Flows(), sum.Ambiguous()),
	}
	for _, an := range anns {
		an.Finish(&r.report)
	}
	return r
}

// Report returns the report without its flows: Flows lists them. The
// report's slices are shared: read them, do not change them.
func (r *Result) Report() *report.Report {
	rep := r.report
	return &rep
}

// Collect returns the report with every flow in it, for renderers and
// checks that need them all at once: about 1.5 KB a flow.
func (r *Result) Collect() *report.Report {
	rep := r.Report()
	rep.Flows = make([]report.Flow, 0, len(r.refs))
	for f := range r.Flows() {
		rep.Flows = append(rep.Flows, *f)
	}
	return rep
}

// Len counts the flows.
func (r *Result) Len() int { return len(r.refs) }

// Flows yields every flow in order, made and annotated as it is yielded:
// one goroutine makes a batch while the caller reads the one before, so
// that on two cores writing a report takes about as long as the slower of
// the two. The *Flow is valid until the next one is yielded: copy it to
// keep it.
func (r *Result) Flows() iter.Seq[*report.Flow] {
	return func(yield func(*report.Flow) bool) {
		batches := make(chan []report.Flow, 1)
		free := make(chan []report.Flow, 2)
		stop := make(chan struct{})
		go r.makeBatches(batches, free, stop)
		defer func() {
			close(stop)
			for range batches {
				// Wait for the maker to return.
			}
		}()
		for batch := range batches {
			for i := range batch {
				if !yield(&batch[i]) {
					return
				}
			}
			clear(batch)
			select {
			case free <- batch[:0]:
			default:
			}
		}
	}
}

// makeBatches makes the flows a batch at a time until they are all made or
// stop is closed, then closes batches.
func (r *Result) makeBatches(batches chan<- []report.Flow, free <-chan []report.Flow, stop <-chan struct{}) {
	defer close(batches)
	m := r.maker()
	batch := make([]report.Flow, 0, flowBatch)
	for i := range r.refs {
		batch = append(batch, m.assemble(i))
		if len(batch) < flowBatch && i < len(r.refs)-1 {
			continue
		}
		select {
		case batches <- batch:
		case <-stop:
			return
		}
		select {
		case batch = <-free:
		default:
			batch = make([]report.Flow, 0, flowBatch)
		}
	}
}

// flowBatch is how many flows Flows hands over at a time.
const flowBatch = 256

// flowMaker makes report flows from connection refs. Each iteration has its
// own, so that its caches need no lock.
type flowMaker struct {
	r   *Result
	o   *orienter
	cls *classifier
}

func (r *Result) maker() *flowMaker {
	return &flowMaker{r: r, o: &orienter{idx: r.d.idx}, cls: newClassifier(r.d.inv, r.d.idx)}
}

// flow makes the report Flow of the i-th connection, judging it.
func (m *flowMaker) flow(i int) report.Flow {
	d := m.r.d
	cn := d.expand(&m.r.refs[i], m.o)
	m.inPod(i, &cn)
	j := m.cls.judge(&cn)
	f := m.flowOf(&cn)
	f.Verdict, f.Evidence, f.Role, f.Intercepted = j.verdict, j.evidence, cn.role, cn.intercepted
	if !j.service.IsZero() {
		f.Service, f.ServicePort = j.service, j.servicePort
	}
	if cn.l7 != nil && cn.l7.incomplete && cn.l7.sni == "" {
		f.Evidence = append(f.Evidence, m.cls.memo.say(report.FactHelloIncomplete))
	}
	for _, li := range cn.legIDs() {
		if level := d.table.at(li).folded; level != notFolded {
			f.Evidence = append(f.Evidence, m.cls.memo.say(foldFacts[level]))
		}
	}
	if cn.packets == 0 && cn.dups > 0 {
		f.Evidence = append(f.Evidence, m.cls.memo.say(report.FactAllDuplicates, int(cn.dups)))
	}
	return f
}

// assemble makes the i-th flow again from what judging it decided.
func (m *flowMaker) assemble(i int) report.Flow {
	r := m.r
	cn := r.d.expand(&r.refs[i], m.o)
	jd := &r.judgements[r.judged[i]]
	if j, ok := r.in.upstreamOf[i]; ok {
		_, cn.upstream, _ = r.d.ends(&r.refs[j])
	}
	f := m.flowOf(&cn)
	f.Verdict, f.Evidence, f.Role, f.Intercepted, f.Expected = jd.verdict, r.evidence[jd.evidence], jd.role, jd.intercepted, jd.expected
	if jd.service >= 0 {
		f.Service, f.ServicePort = r.services[jd.service], jd.servicePort
	}
	if jd.why >= 0 {
		f.ExpectedWhy = r.whys[jd.why]
	}
	return f
}

// flowOf makes what a flow says of its connection: addresses, pods,
// counters, times, what the payload named, the interfaces.
func (m *flowMaker) flowOf(cn *conn) report.Flow {
	f := report.Flow{
		Proto:      cn.proto,
		Client:     cn.client,
		Server:     cn.server,
		Handshake:  cn.handshake,
		ClientFrom: cn.clientFrom,
		Packets:    cn.packets,
		Bytes:      cn.bytes,
		Duplicates: cn.dups,
		First:      time.Unix(0, cn.first).UTC(),
		Last:       time.Unix(0, cn.last).UTC(),
	}
	f.ClientPod = m.podAt(cn.client.Addr())
	f.ServerPod = m.podAt(cn.server.Addr())
	if cn.natTo.IsValid() {
		f.NATTo = report.Endpoint{AddrPort: cn.natTo}
		f.NATToPod = m.podAt(cn.natTo.Addr())
	}
	if cn.upstream.IsValid() {
		f.Upstream = report.Endpoint{AddrPort: cn.upstream}
		f.UpstreamPod = m.podAt(cn.upstream.Addr())
	}
	if cn.l7 != nil {
		f.SNI, f.ALPN = cn.l7.sni, cn.l7.alpn
		f.HTTPHost, f.HTTPRequest = cn.l7.httpHost, cn.l7.httpReq
	}
	f.Interfaces = m.interfaces(cn.ifaces)
	return f
}

// interner keeps what judging decided in lists the flows share: evidence
// lists by their Evidence values (which the memo shares), services and
// explanations by value, and the judgements made of them.
type interner struct {
	evidence   map[evidenceKey]int32
	services   map[inventory.Ref]int32
	whys       map[string]int32
	judgements map[judged]int32
	// evidenceIDs numbers the Evidence values from 1, so that a list of
	// up to four is a uint64 (shortLists' key): hashing it costs a
	// tenth of hashing an evidenceKey, once a flow.
	evidenceIDs map[*report.Evidence]uint16
	shortLists  map[uint64]int32
	// last is the judgement kept last, and its index: flows come sorted
	// by address, and a client's flows to one service are often judged
	// alike one after the other.
	last    judged
	lastIdx int32
	lastEv  []*report.Evidence
}

// evidenceKey is an evidence list of up to maxKeyEvidence entries.
type evidenceKey struct {
	n  int
	ev [maxKeyEvidence]*report.Evidence
}

const maxKeyEvidence = 8

// keep records what judging f decided and returns the index of its
// judgement in r.judgements.
func (in *interner) keep(r *Result, f *report.Flow) int32 {
	jd := judged{evidence: -1, service: -1, why: -1, servicePort: f.ServicePort, verdict: f.Verdict,
		role: f.Role, intercepted: f.Intercepted, expected: f.Expected}
	if in.lastEv != nil && slices.Equal(f.Evidence, in.lastEv) {
		jd.evidence = in.last.evidence
	} else if short, ok := in.shortKey(f.Evidence); ok {
		idx, ok := in.shortLists[short]
		if !ok {
			idx = in.list(r, f.Evidence)
			in.shortLists[short] = idx
		}
		jd.evidence = idx
	} else {
		jd.evidence = in.list(r, f.Evidence)
	}
	// The flow shares the kept list, as its next makings will.
	f.Evidence = r.evidence[jd.evidence]
	if !f.Service.IsZero() {
		idx, ok := in.services[f.Service]
		if !ok {
			idx = int32(len(r.services))
			in.services[f.Service] = idx
			r.services = append(r.services, f.Service)
		}
		jd.service = idx
	}
	if f.ExpectedWhy != "" {
		idx, ok := in.whys[f.ExpectedWhy]
		if !ok {
			idx = int32(len(r.whys))
			in.whys[f.ExpectedWhy] = idx
			r.whys = append(r.whys, f.ExpectedWhy)
		}
		jd.why = idx
	}
	if jd == in.last && in.lastEv != nil {
		return in.lastIdx
	}
	idx, ok := in.judgements[jd]
	if !ok {
		idx = int32(len(r.judgements))
		in.judgements[jd] = idx
		r.judgements = append(r.judgements, jd)
	}
	in.last, in.lastIdx, in.lastEv = jd, idx, f.Evidence
	return idx
}

// shortKey packs an evidence list of up to four entries into a uint64,
// each entry's number (from 1) in 16 bits; false for a longer list, or
// once more than 65,535 Evidence values are numbered.
func (in *interner) shortKey(ev []*report.Evidence) (uint64, bool) {
	if len(ev) > 4 {
		return 0, false
	}
	var k uint64
	for i, e := range ev {
		id, ok := in.evidenceIDs[e]
		if !ok {
			if len(in.evidenceIDs) == 0xffff {
				return 0, false
			}
			id = uint16(len(in.evidenceIDs) + 1)
			in.evidenceIDs[e] = id
		}
		k |= uint64(id) << (16 * i)
	}
	return k, true
}

// list returns the index in r.evidence of a list holding ev, adding it.
func (in *interner) list(r *Result, ev []*report.Evidence) int32 {
	if len(ev) <= maxKeyEvidence {
		k := evidenceKey{n: len(ev)}
		copy(k.ev[:], ev)
		idx, ok := in.evidence[k]
		if !ok {
			idx = int32(len(r.evidence))
			in.evidence[k] = idx
			r.evidence = append(r.evidence, slices.Clip(ev))
		}
		return idx
	}
	r.evidence = append(r.evidence, slices.Clip(ev))
	return int32(len(r.evidence) - 1)
}

// inPod adds to the i-th connection what the capture of its pod's lo says:
// the upstream leg of an intercepted connection, or the connection an
// upstream leg carries, its role, and whether a connection of such a pod
// skipped the sidecar.
func (m *flowMaker) inPod(i int, cn *conn) {
	in, d := &m.r.in, m.r.d
	if j, ok := in.upstreamOf[i]; ok {
		_, cn.upstream, _ = d.ends(&m.r.refs[j])
		cn.upstreamL7 = d.l7For(d.table.at(m.r.refs[j].legs[0]))
	}
	cn.pooled = in.pooled[i]
	if k, ok := in.upstreams[i]; ok {
		cn.carriedClient, cn.carriedOrig, _ = d.ends(&m.r.refs[k])
		cn.role = report.RoleSidecarUpstream
		return
	}
	if cn.intercepted != 0 {
		return
	}
	if _, _, ok := redirectEnd(d.table.at(cn.legs[0]).key); ok && cn.legs[1] < 0 {
		cn.intercepted = report.Intercepted
		return
	}
	podClient := d.idx != nil && m.cls.owner(cn.client.Addr()).Kind == inventory.OwnerPod
	toService := d.idx != nil && m.cls.owner(cn.server.Addr()).Kind == inventory.OwnerService
	// A connection whose opening is not in the capture may be one of the
	// sidecar's pooled legs: that it skipped the sidecar is not shown.
	opened := cn.handshake == report.HandshakeComplete || cn.handshake == report.HandshakeSyn
	if cn.role = roleOf(cn, in.pods, podClient, toService); cn.role == 0 && cn.proto == capture.TCP && opened &&
		in.pods[cn.client.Addr()] && !isLoopback(cn.server.Addr()) {
		cn.intercepted = report.NotIntercepted
	}
}

// interfaces names the interfaces of ids, each once.
func (m *flowMaker) interfaces(ids []int32) report.Interfaces {
	names := m.r.names
	if len(ids) == 1 && int(ids[0]) < len(names) {
		return m.r.names1[ids[0]]
	}
	var out report.Interfaces
	for _, id := range ids {
		if int(id) < len(names) && names[id] != "" && !slices.Contains(out, names[id]) {
			out = append(out, names[id])
		}
	}
	return out
}

// podAt names the pod at addr; zero when none is there.
func (m *flowMaker) podAt(addr netip.Addr) inventory.Ref {
	if m.r.d.idx == nil {
		return inventory.Ref{}
	}
	if o := m.cls.owner(addr); o.Kind == inventory.OwnerPod {
		return o.Pod.Ref
	}
	return inventory.Ref{}
}
