package engine

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// DefaultDedupeWindow is how far apart two sightings of one packet on
// different interfaces may be. Forwarding takes microseconds; TCP never
// retransmits sooner than 200 ms.
const DefaultDedupeWindow = 50 * time.Millisecond

// Options configure an Analyzer.
type Options struct {
	// Inventory is what is known about the cluster; nil or empty means
	// verdicts rest on the packets alone. Index is its index, when the
	// caller has built it already; otherwise New builds it.
	Inventory *inventory.Inventory
	Index     *inventory.Index
	// DedupeWindow overrides DefaultDedupeWindow when positive.
	DedupeWindow time.Duration
	// MaxFlows bounds the flows kept apart; past it, new flows are folded
	// into aggregates (see fold.go) and the report warns. 0 means
	// DefaultMaxFlows.
	MaxFlows int
	// Tick, when set, is called after every packet Run reads (live capture
	// redraws its screen from it); it must not call Run.
	Tick func(*Analyzer)
}

// Analyzer reads packets into flows. Result ends the reading and freezes
// what was read into a Result, from which reports are made. An Analyzer is
// not safe for concurrent use.
type Analyzer struct {
	*flowData
	dd *dedupe
	// single is set while Run reads one source that cannot hold a packet
	// twice: the dedupe table is then skipped.
	single bool
	tick   func(*Analyzer)
	// inspected counts the payload segments handed to package peek.
	inspected int
}

// flowData is what reading made, and all a report is made from: the flow
// table, what payloads said, the sources and their interfaces, the NAT
// votes and the folds. A Result owns it once reading ends.
type flowData struct {
	inv      *inventory.Inventory
	idx      *inventory.Index
	table    *flowTable
	ifaces   ifaceRegistry
	natVotes map[natPair]int
	votes    *voteCache
	l7       []l7Info
	sources  []sourceRun
	maxFlows int
	folds    folds
}

// sourceRun is one source read by Run and how its reading ended.
type sourceRun struct {
	info *capture.Info
	err  error
}

// natPair names two flows that are the legs of one NATed connection: pre
// carries the address the client sent to, post the translated one.
type natPair struct{ pre, post int32 }

// New returns an Analyzer.
func New(opts Options) *Analyzer {
	window := opts.DedupeWindow
	if window <= 0 {
		window = DefaultDedupeWindow
	}
	maxFlows := opts.MaxFlows
	if maxFlows <= 0 {
		maxFlows = DefaultMaxFlows
	}
	a := &Analyzer{
		flowData: &flowData{
			inv:      opts.Inventory,
			table:    newFlowTable(),
			natVotes: map[natPair]int{},
			votes:    &voteCache{},
			maxFlows: maxFlows,
		},
		dd:   newDedupe(int64(window)),
		tick: opts.Tick,
	}
	switch {
	case opts.Index != nil:
		a.idx = opts.Index
	case !opts.Inventory.Empty():
		a.idx = opts.Inventory.Index()
	}
	return a
}

// ctxCheckEvery is how many packets pass between looks at the context.
const ctxCheckEvery = 4096

// Run reads every source to its end, interleaving them by timestamp so that
// a packet seen on several captures is counted once. A source that ends in
// the middle of a record or fails partway keeps what it yielded; its error
// becomes a warning of the report. Run returns the context's error if it is
// cancelled, and nil otherwise.
func (a *Analyzer) Run(ctx context.Context, sources ...capture.Source) error {
	base := len(a.sources)
	if base == 0 && len(sources) == 1 {
		// One source needs no interleaving; one that cannot hold a packet
		// twice needs no dedupe table either.
		a.single = singleInterface(sources[0].Info())
		defer func() { a.single = false }()
		return a.runOne(ctx, sources[0])
	}
	heads := make([]capture.Packet, len(sources))
	live := make([]bool, len(sources))
	for i, src := range sources {
		a.sources = append(a.sources, sourceRun{info: src.Info()})
		live[i] = a.advance(base+i, src, &heads[i])
	}
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		next := -1
		for i := range sources {
			if live[i] && (next < 0 || heads[i].Time.Before(heads[next].Time)) {
				next = i
			}
		}
		if next < 0 {
			return nil
		}
		a.Add(&heads[next], base+next)
		if a.tick != nil {
			a.tick(a)
		}
		live[next] = a.advance(base+next, sources[next], &heads[next])
	}
}

// runOne reads a single source, a batch at a time when it can.
func (a *Analyzer) runOne(ctx context.Context, src capture.Source) error {
	a.sources = append(a.sources, sourceRun{info: src.Info()})
	if b, ok := src.(capture.Batcher); ok {
		return a.runBatches(ctx, b)
	}
	var p capture.Packet
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !a.advance(0, src, &p) {
			return nil
		}
		a.Add(&p, 0)
		if a.tick != nil {
			a.tick(a)
		}
	}
}

// runBatches reads the only source batch by batch. For a source that can
// hold a packet twice (tcpdump -i any), its framing goroutine computes the
// packets' fingerprints (capture.Preparer, fingerprintBatch): the dedupe
// table is work a single pcap does not have, and it made the analyzer's
// share the larger one, so that the framing goroutine waited 44 to 48 ms
// of 290 for it on make bench's -i any capture. The fingerprints, which the
// dedupe table is looked up by, move that work back to the framing
// goroutine. (Moving the keys and hashes too overshot: the analyzer then
// waited 80 to 89 ms for the framing.)
func (a *Analyzer) runBatches(ctx context.Context, src capture.Batcher) error {
	next := func() ([]capture.Packet, [][2]uint64, error) {
		pkts, err := src.NextBatch()
		return pkts, nil, err
	}
	if p, ok := src.(capture.Preparer); ok && !a.single && a.tick == nil {
		text := a.sources[0].info.Format == capture.FormatText
		p.Prepare(func(pkts []capture.Packet, prev any) any {
			fb, _ := prev.(*fingerprintBatch)
			if fb == nil {
				fb = new(fingerprintBatch)
			}
			fb.fingerprint(pkts, text)
			return fb
		})
		next = func() ([]capture.Packet, [][2]uint64, error) {
			pkts, prepared, first, err := p.NextPrepared()
			if fb, _ := prepared.(*fingerprintBatch); fb != nil && len(fb.sigs) >= first+len(pkts) {
				return pkts, fb.sigs[first : first+len(pkts)], err
			}
			// A batch cut short by a fault was not fingerprinted.
			return pkts, nil, err
		}
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		pkts, sigs, err := next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				a.sources[0].err = err
			}
			return nil
		}
		if a.tick != nil {
			for i := range pkts {
				a.Add(&pkts[i], 0)
				a.tick(a)
			}
			continue
		}
		a.addBatchSigned(pkts, sigs, 0)
	}
}

// fingerprintBatch is what the framing goroutine computes of a batch for
// the analyzer: each packet's two fingerprints (dedupe.go).
type fingerprintBatch struct{ sigs [][2]uint64 }

// fingerprint computes the fingerprints of every packet of pkts into fb,
// reusing its memory. It runs on the framing goroutine.
func (fb *fingerprintBatch) fingerprint(pkts []capture.Packet, text bool) {
	fb.sigs = slices.Grow(fb.sigs[:0], len(pkts))[:len(pkts)]
	for i := range pkts {
		fb.sigs[i][0], fb.sigs[i][1] = fingerprints(&pkts[i], text)
	}
}

// keyed is a packet's flow key, the side that sent it, the key's hash and,
// when the dedupe table is in use, its two fingerprints: what Add computes
// before it touches any table.
type keyed struct {
	k              flowKey
	h              uint64
	side           uint8
	sigSrc, sigDst uint64
}

// prepare computes what Add needs of p before the tables, and asks the CPU
// to start loading the index slot of p's flow (and the dedupe slots of its
// fingerprints), so that they are in the cache when Add reaches them. sig,
// when not nil, holds p's fingerprints, computed already.
func (a *Analyzer) prepare(q *keyed, p *capture.Packet, text bool, sig *[2]uint64) {
	q.k, q.side = keyOf(p)
	q.h = a.table.hash(&q.k)
	if a.single {
		prefetch2(a.table.slotPtr(q.h), a.table.slotPtr(q.h))
		return
	}
	if sig != nil {
		q.sigSrc, q.sigDst = sig[0], sig[1]
	} else {
		q.sigSrc, q.sigDst = fingerprints(p, text)
	}
	prefetch2(a.dd.slotPtr(q.sigSrc), a.dd.slotPtr(q.sigDst))
	prefetch2(a.table.slotPtr(q.h), a.table.slotPtr(q.h))
}

// lookahead is how many packets ahead of the one being added addBatch
// prepares: enough loads in flight to cover the memory's latency, few
// enough that what they load is still in the cache when it is used.
const lookahead = 8

// addBatch is Add over a batch of packets of source src, software
// pipelined. The flow table of tens of thousands of flows, and the dedupe
// table, do not fit the CPU's nearest caches, and packets of random flows
// would each wait for two or three loads from memory in turn (index slot,
// then flow record; dedupe slot). Instead, while packet i is added, packet
// i+lookahead is keyed and hashed and its slots are prefetched, and the flow
// record of packet i+lookahead/2, whose slot has arrived by then, is
// prefetched too.
func (a *Analyzer) addBatch(pkts []capture.Packet, src int) { a.addBatchSigned(pkts, nil, src) }

// addBatchSigned is addBatch for packets whose fingerprints sigs holds, one
// pair a packet, or, when sigs is nil, that it computes.
func (a *Analyzer) addBatchSigned(pkts []capture.Packet, sigs [][2]uint64, src int) {
	text := src < len(a.sources) && a.sources[src].info.Format == capture.FormatText
	sig := func(i int) *[2]uint64 {
		if sigs == nil {
			return nil
		}
		return &sigs[i]
	}
	var ring [lookahead]keyed
	n := len(pkts)
	for i := range min(lookahead, n) {
		a.prepare(&ring[i], &pkts[i], text, sig(i))
	}
	for i := range n {
		if j := i + lookahead/2; j < n {
			if f := a.table.guess(ring[j%lookahead].h); f != nil {
				prefetch2(unsafe.Pointer(f), unsafe.Add(unsafe.Pointer(f), 64))
			}
		}
		q := &ring[i%lookahead]
		a.add(&pkts[i], src, q, text)
		if j := i + lookahead; j < n {
			a.prepare(q, &pkts[j], text, sig(j))
		}
	}
}

// singleInterface reports whether every packet of a source comes from the
// same interface, so that no packet can be seen twice: a pcap file or a
// live capture, unless its Linux cooked headers name several interfaces
// (tcpdump -i any).
func singleInterface(info *capture.Info) bool {
	return (info.Format == capture.FormatPcap || info.Format == capture.FormatLive) && len(info.Interfaces) == 1 &&
		info.Interfaces[0].LinkType != capture.LinkLinuxSLL2 && info.Interfaces[0].LinkType != capture.LinkLinuxSLL
}

// advance reads the next packet of source i, recording how it ended.
func (a *Analyzer) advance(i int, src capture.Source, p *capture.Packet) bool {
	err := src.Next(p)
	if err == nil {
		return true
	}
	if !errors.Is(err, io.EOF) {
		a.sources[i].err = err
	}
	return false
}

// Add counts one packet read from source src (an index in the order Run
// saw the sources). It does not allocate for a packet of a known flow.
func (a *Analyzer) Add(p *capture.Packet, src int) {
	// tcpdump prints relative sequence numbers, counted from the first
	// sighting of a connection, so a text capture's second sighting of a
	// packet carries other numbers than its first: they are left out.
	text := src < len(a.sources) && a.sources[src].info.Format == capture.FormatText
	var q keyed
	q.k, q.side = keyOf(p)
	q.h = a.table.hash(&q.k)
	if !a.single {
		q.sigSrc, q.sigDst = fingerprints(p, text)
	}
	a.add(p, src, &q, text)
}

// add is Add once the packet is keyed.
func (a *Analyzer) add(p *capture.Packet, src int, q *keyed, text bool) {
	ts := p.Time.UnixNano()
	iface := a.ifaces.id(src, p)
	side := q.side
	fi, ok := a.table.lookup(&q.k, q.h)
	if !ok {
		if a.table.len() < a.maxFlows {
			fi = a.table.insert(&q.k, q.h)
		} else {
			fi, side = a.fold(p, &q.k)
		}
	}
	f := a.table.at(fi)
	if !a.single {
		if s := a.dd.check(q.sigSrc, q.sigDst, ts, iface, fi); s.dup {
			f.touch(ts, side)
			f.dups++
			f.addIface(iface)
			if s.flow != fi && f.folded == notFolded && a.table.at(s.flow).folded == notFolded {
				a.voteNAT(s, fi)
			}
			return
		}
	}
	f.update(p, side, ts, iface)
	if !f.l7Done && len(p.Payload) > 0 {
		a.inspect(fi, p, side)
	}
}

// voteNAT records that flow fi holds a packet first seen in flow s.flow.
// When the packet's sender is the endpoint NAT left alone, the earlier
// sighting carries the address it sent to (a DNAT); otherwise the earlier
// sighting is the reply before kube-proxy rewrote its source back.
func (a *Analyzer) voteNAT(s sighting, fi int32) {
	pair := natPair{pre: s.flow, post: fi}
	if !s.stableSent {
		pair = natPair{pre: fi, post: s.flow}
	}
	a.votes.add(pair, a.natVotes)
}

// voteCache counts NAT votes in a small direct-mapped array before the
// map: on a node-wide capture every forwarded packet votes, and a map
// update per packet costs more than the rest of its counting. An entry
// moves to the map when another pair takes its place, and all of them
// when the votes are read (flush).
type voteCache struct {
	slots [voteCacheLen]struct {
		pair natPair
		n    int
	}
}

const voteCacheLen = 1 << 12

func (c *voteCache) add(pair natPair, votes map[natPair]int) {
	e := &c.slots[(uint32(pair.pre)*0x9E3779B1^uint32(pair.post))%voteCacheLen]
	if e.pair != pair {
		if e.n > 0 {
			votes[e.pair] += e.n
		}
		e.pair, e.n = pair, 0
	}
	e.n++
}

// flush moves every cached vote to votes.
func (c *voteCache) flush(votes map[natPair]int) {
	for i := range c.slots {
		if e := &c.slots[i]; e.n > 0 {
			votes[e.pair] += e.n
			e.n = 0
		}
	}
}

// ifaceRegistry numbers the interfaces of all sources: a pcapng interface, a
// Linux cooked v2 interface index, or a tcpdump -i any text name.
type ifaceRegistry struct {
	ids   map[ifaceKey]int32
	names []string
	cache [ifaceCacheLen]struct {
		k  ifaceKey
		id int32
		ok bool
	}
}

const ifaceCacheLen = 256

// ifaceKey is one place a packet can be seen. The direction is part of it:
// a routed packet enters and leaves a bridge under one name (and one
// interface index), and those are two sightings.
type ifaceKey struct {
	src     int
	iface   int
	ifIndex int32
	dir     capture.Direction
}

func (r *ifaceRegistry) id(src int, p *capture.Packet) int32 {
	k := ifaceKey{src: src, iface: p.Interface, ifIndex: p.IfIndex, dir: p.Direction}
	// A node-wide capture moves between a hundred interfaces (every veth,
	// both ways) packet by packet: a direct-mapped cache spares the map.
	e := &r.cache[(uint(k.ifIndex)*4+uint(k.dir)+uint(k.iface)*7+uint(k.src)*13)%ifaceCacheLen]
	if e.ok && e.k == k {
		return e.id
	}
	if r.ids == nil {
		r.ids = map[ifaceKey]int32{}
	}
	id, ok := r.ids[k]
	if !ok {
		id = int32(len(r.names))
		r.ids[k] = id
		r.names = append(r.names, "")
	}
	e.k, e.id, e.ok = k, id, true
	return id
}

// ifaceNames labels every interface id for reports, using what the
// sources say: a pcapng or text interface name, or a Linux cooked v2
// interface index. An interface without either has an empty name.
func (a *flowData) ifaceNames() []string {
	names := make([]string, len(a.ifaces.names))
	for k, id := range a.ifaces.ids {
		var name string
		if k.src < len(a.sources) && k.iface >= 0 && k.iface < len(a.sources[k.src].info.Interfaces) {
			info := a.sources[k.src].info
			name = info.Interfaces[k.iface].Name
		}
		if k.ifIndex != 0 && (name == "" || name == "any") {
			name = "ifindex " + strconv.Itoa(int(k.ifIndex))
		}
		names[id] = name
	}
	return names
}
