package engine

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// connRef is one connection as the report lists it, in 24 bytes: a single
// flow, or the two legs of a NATed connection, with the sides that say
// which endpoint is the client and which the translated destination. The
// report keeps one ref per connection and expands them one at a time
// (expand), so that a million connections never exist at once as conns.
type connRef struct {
	first int64    // first packet, Unix nanoseconds
	legs  [2]int32 // flows, the leg with the original destination first; legs[1] is -1 for a single flow
	// clientSide is the side of legs[0] that is the client; natSide the
	// side of legs[1] that is the translated destination.
	clientSide, natSide uint8
	how                 report.ClientFrom
	pairedBy            pairing
}

// pairing says how the legs of a NATed connection were paired.
type pairing uint8

const (
	notPaired pairing = iota
	pairedByPackets
	pairedByAddresses
	// pairedByRedirect: the two directions of an application connection
	// the pod's rules redirected to the sidecar, on lo (inpod.go).
	pairedByRedirect
)

var pairingNames = [...]string{notPaired: "", pairedByPackets: "packets", pairedByAddresses: "addresses", pairedByRedirect: "redirect"}

func (p pairing) String() string { return pairingNames[p] }

func (r *connRef) paired() bool { return r.legs[1] >= 0 }

// conn is one connection expanded from its ref: oriented from client to
// server, its legs' counters summed.
type conn struct {
	legs       [2]int32
	proto      capture.Transport
	client     netip.AddrPort
	server     netip.AddrPort
	natTo      netip.AddrPort // zero unless a NAT leg was paired
	pairedBy   pairing
	clientFrom report.ClientFrom
	handshake  report.Handshake
	packets    int64
	bytes      int64
	dups       int64
	first      int64
	last       int64
	ifaces     []int32
	l7         *l7Info

	// In a pod whose lo the capture holds (inpod.go).
	intercepted report.Interception
	role        report.Role
	// upstream is where the sidecar sent an intercepted connection, when
	// its upstream leg was found; upstreamL7 what that leg's payload said.
	upstream   netip.AddrPort
	upstreamL7 *l7Info
	// pooled counts the pooled upstream legs that may have carried an
	// intercepted connection, when none can be told.
	pooled pooling
	// carriedClient and carriedOrig name the application connection an
	// upstream leg (role sidecar-upstream) carries.
	carriedClient, carriedOrig netip.AddrPort
}

// legIDs returns the connection's one or two flows.
func (c *conn) legIDs() []int32 {
	if c.legs[1] < 0 {
		return c.legs[:1]
	}
	return c.legs[:]
}

// connRefs merges NAT legs and orients every flow: one ref per connection,
// in no particular order.
func (a *flowData) connRefs(o *orienter) []connRef {
	paired := make([]bool, a.table.len())
	refs := make([]connRef, 0, a.table.len())
	for _, pr := range a.natPairs() {
		if r, ok := a.pairRef(pr, o, pairedByPackets); ok {
			paired[pr.pre], paired[pr.post] = true, true
			refs = append(refs, r)
		}
	}
	nPairs := len(refs)
	for i := range a.table.len() {
		if !paired[i] {
			refs = append(refs, a.singleRef(int32(i), o))
		}
	}
	refs, nPairs = a.pairRedirects(refs, nPairs)
	return a.pairByAddress(refs, nPairs, o)
}

// ends returns a connection's client, server and, for NATed ones, the
// translated destination.
func (a *flowData) ends(r *connRef) (client, server, natTo netip.AddrPort) {
	k := &a.table.at(r.legs[0]).key
	client, server = k.endpoint(r.clientSide), k.endpoint(1-r.clientSide)
	if r.paired() {
		natTo = a.table.at(r.legs[1]).key.endpoint(r.natSide)
	}
	return client, server, natTo
}

// compareRefs orders connections as the report lists flows: by first
// packet, protocol (TCP first), client, server, and the NAT target.
func (a *flowData) compareRefs(x, y *connRef) int {
	if c := cmp.Compare(x.first, y.first); c != 0 {
		return c
	}
	if c := cmp.Compare(a.table.at(x.legs[0]).key.proto, a.table.at(y.legs[0]).key.proto); c != 0 {
		return c
	}
	xc, xs, xn := a.ends(x)
	yc, ys, yn := a.ends(y)
	return cmp.Or(xc.Compare(yc), xs.Compare(ys), xn.Compare(yn))
}

// expand turns a ref into the connection it stands for.
func (a *flowData) expand(r *connRef, o *orienter) conn {
	c := conn{legs: r.legs, proto: a.table.at(r.legs[0]).key.proto, clientFrom: r.how, pairedBy: r.pairedBy}
	c.client, c.server, c.natTo = a.ends(r)
	if r.pairedBy == pairedByRedirect {
		// The second leg is the application's side of the sidecar's
		// listener, not a translated destination.
		c.natTo, c.intercepted = netip.AddrPort{}, report.Intercepted
	}
	a.fill(&c, o)
	return c
}

// natPairs turns the packet votes into pairs, each flow in at most one:
// pairs with more votes win, ties go to the lower flow numbers so that the
// result does not depend on map order.
func (a *flowData) natPairs() []natPair {
	a.votes.flush(a.natVotes)
	type voted struct {
		natPair
		votes int
	}
	all := make([]voted, 0, len(a.natVotes))
	for pr, n := range a.natVotes {
		all = append(all, voted{pr, n})
	}
	slices.SortFunc(all, func(x, y voted) int {
		if x.votes != y.votes {
			return y.votes - x.votes
		}
		if x.pre != y.pre {
			return int(x.pre - y.pre)
		}
		return int(x.post - y.post)
	})
	used := map[int32]bool{}
	var out []natPair
	for _, v := range all {
		// A pair voted both ways is the same two flows; the majority above
		// already chose the direction.
		if used[v.pre] || used[v.post] {
			continue
		}
		used[v.pre], used[v.post] = true, true
		out = append(out, v.natPair)
	}
	return out
}

// pairRef merges two legs. The endpoint both legs share is the client:
// kube-proxy's DNAT rewrites the destination and leaves the client alone.
// Legs that share no endpoint (both addresses rewritten) are not merged.
func (a *flowData) pairRef(pr natPair, o *orienter, by pairing) (connRef, bool) {
	pre, post := a.table.at(pr.pre), a.table.at(pr.post)
	// cs is the client's side of pre, ns the translated destination's
	// side of post.
	var cs, ns uint8
	preA, preB, postA, postB := pre.key.A(), pre.key.B(), post.key.A(), post.key.B()
	switch {
	case preA == postA:
		cs, ns = sideA, sideB
	case preA == postB:
		cs, ns = sideA, sideA
	case preB == postA:
		cs, ns = sideB, sideB
	case preB == postB:
		cs, ns = sideB, sideA
	default:
		return connRef{}, false
	}
	client := pre.key.endpoint(cs)
	// A SYN from the other side means the shared endpoint is the server and
	// the client's address was rewritten (masquerade): not kube-proxy's
	// DNAT of a ClusterIP, so the legs stay apart.
	for _, f := range []*flowState{pre, post} {
		if f.synFrom != sideNone && f.key.endpoint(f.synFrom) != client {
			return connRef{}, false
		}
	}
	// The inventory knows better which leg carries the ClusterIP.
	if server, natTo := pre.key.endpoint(1-cs), post.key.endpoint(ns); o.isService(natTo) && !o.isService(server) {
		pr.pre, pr.post = pr.post, pr.pre
		pre, post = post, pre
		cs, ns = sideOf(pre.key, client), 1-sideOf(post.key, client)
	}
	r := connRef{first: min(pre.first, post.first), legs: [2]int32{pr.pre, pr.post}, clientSide: cs, natSide: ns, how: report.ByNAT, pairedBy: by}
	for _, f := range []*flowState{pre, post} {
		fs := sideOf(f.key, client)
		if f.synFrom == fs || f.synAckFrom == 1-fs {
			r.how = report.BySyn
		}
	}
	return r, true
}

// singleRef orients one unpaired flow.
func (a *flowData) singleRef(i int32, o *orienter) connRef {
	f := a.table.at(i)
	cs, how := o.clientSide(f, a.l7For(f))
	return connRef{first: f.first, legs: [2]int32{i, -1}, clientSide: cs, how: how}
}

// fill sums the legs' counters and works out the handshake seen.
func (a *flowData) fill(c *conn, o *orienter) {
	var syn, synAck bool
	c.first = -1
	for _, li := range c.legIDs() {
		f := a.table.at(li)
		c.packets += f.packets[0] + f.packets[1]
		c.bytes += f.bytes[0] + f.bytes[1]
		c.dups += f.dups
		if c.first < 0 || f.first < c.first {
			c.first = f.first
		}
		c.last = max(c.last, f.last)
		for _, id := range f.ifaces[:f.nIfaces] {
			if !slices.Contains(c.ifaces, id) {
				c.ifaces = append(c.ifaces, id)
			}
		}
		cs := sideOf(f.key, c.client)
		syn = syn || f.synFrom == cs
		synAck = synAck || f.synAckFrom == 1-cs
		if l7 := a.l7For(f); c.l7 == nil || l7 != nil && l7.says() && !c.l7.says() {
			// An intercepted connection's request is on its redirected
			// leg, the replies' leg says nothing.
			c.l7 = l7
		}
	}
	if c.proto == capture.TCP {
		switch {
		case syn && synAck:
			c.handshake = report.HandshakeComplete
		case syn:
			c.handshake = report.HandshakeSyn
		case synAck:
			c.handshake = report.HandshakeSynAck
		default:
			c.handshake = report.HandshakeMissing
		}
	}
}

// l7For returns what the flow's payload said, or nil.
func (a *flowData) l7For(f *flowState) *l7Info {
	if f.l7 < 0 {
		return nil
	}
	return &a.l7[f.l7]
}

// sideOf returns the side of k that is ep, or sideNone.
func sideOf(k flowKey, ep netip.AddrPort) uint8 {
	switch ep {
	case k.A():
		return sideA
	case k.B():
		return sideB
	}
	return sideNone
}

// pairByAddress pairs legs the packets could not: a flow from a client
// address and port to a ClusterIP, and a flow from the same client address
// and port to a pod that backs that service, overlapping in time. This
// happens when the two legs come from captures whose packets cannot be
// matched one for one (tcpdump text, or files of different times). It needs
// the inventory to know which address is the ClusterIP. refs[:nPairs] are
// already paired; the rest are single flows. It returns the refs with the
// pairs it made in place of their two singles.
func (a *flowData) pairByAddress(refs []connRef, nPairs int, o *orienter) []connRef {
	if o.idx == nil {
		return refs
	}
	singles := refs[nPairs:]
	// Only clients that sent to a Service address can have a second leg,
	// and only a flow from one of those clients can be the other: most
	// flows of a large capture are neither. A filter of bits by client
	// (clientBits) finds, without a map of every flow, the few flows whose
	// client also sent to a Service; only their clients' flows to Services
	// are chained in a map, lowest first, and looked up. A million flows
	// sorted by client and searched cost half a second.
	isService := make([]bool, len(singles))
	pres := newClientBits(len(singles))
	for i := range singles {
		r := &singles[i]
		if isService[i] = o.isService(a.server(r)); isService[i] && !a.folded(r) {
			pres.set(a.clientHash(r))
		}
	}
	// posts are the flows that may be second legs, in order.
	var posts []int32
	wanted := newClientBits(len(singles))
	for j := range singles {
		post := &singles[j]
		// Aggregates of folded flows (fold.go) share a client "address:0"
		// with unrelated connections: never legs of one.
		if isService[j] || a.folded(post) {
			continue
		}
		if h := a.clientHash(post); pres.has(h) {
			posts = append(posts, int32(j))
			wanted.set(h)
		}
	}
	if len(posts) == 0 {
		return refs
	}
	type preKey struct {
		proto  capture.Transport
		client netip.AddrPort
	}
	heads := map[preKey]int32{}
	next := make([]int32, len(singles))
	for i := len(singles) - 1; i >= 0; i-- {
		r := &singles[i]
		if !isService[i] || a.folded(r) || !wanted.has(a.clientHash(r)) {
			continue
		}
		client, _, _ := a.ends(r)
		k := preKey{a.table.at(r.legs[0]).key.proto, client}
		if h, ok := heads[k]; ok {
			next[i] = h
		} else {
			next[i] = -1
		}
		heads[k] = int32(i)
	}
	used := make([]bool, len(singles))
	var merged []connRef
	for _, j := range posts {
		post := &singles[j]
		postFlow := a.table.at(post.legs[0])
		client, server, _ := a.ends(post)
		i, ok := heads[preKey{postFlow.key.proto, client}]
		for ; ok && i >= 0; i = next[i] {
			preRef := &singles[i]
			preFlow := a.table.at(preRef.legs[0])
			_, vip, _ := a.ends(preRef)
			if used[i] || !o.backsServiceAt(server, vip, preFlow.key.proto) {
				continue
			}
			if postFlow.first > preFlow.last+int64(pairSlack) || postFlow.last+int64(pairSlack) < preFlow.first {
				continue
			}
			if sameSingleInterface(preFlow, postFlow) {
				// One interface never shows both legs of a DNAT made
				// elsewhere: these are two connections from a reused port.
				continue
			}
			r, ok := a.pairRef(natPair{pre: preRef.legs[0], post: post.legs[0]}, o, pairedByAddresses)
			if !ok {
				continue
			}
			used[i], used[j] = true, true
			merged = append(merged, r)
			break
		}
	}
	n := nPairs
	for i := range singles {
		if !used[i] {
			refs[n] = singles[i]
			n++
		}
	}
	return append(refs[:n], merged...)
}

// server returns a connection's server, the side of its first leg that is
// not the client.
func (a *flowData) server(r *connRef) netip.AddrPort {
	return a.table.at(r.legs[0]).key.endpoint(1 - r.clientSide)
}

// clientHash hashes a connection's protocol and client as its first leg's
// key holds them, without making the address: equal clients hash equal.
func (a *flowData) clientHash(r *connRef) uint64 {
	k := &a.table.at(r.legs[0]).key
	hi, lo, port := k.aHi, k.aLo, k.aPort
	if r.clientSide != sideA {
		hi, lo, port = k.bHi, k.bLo, k.bPort
	}
	return mum(mum(hi^0x9E3779B97F4A7C15, lo^0xC2B2AE3D27D4EB4F)^(uint64(port)<<8|uint64(k.proto)), 0x165667B19E3779F9)
}

// clientBits is a filter of bits set by clientHash: has(h) is true for
// every h set, and for a few percent of the others.
type clientBits []uint64

// newClientBits makes a filter of 16 bits an entry for up to n entries.
func newClientBits(n int) clientBits {
	words := 1
	for words*64 < 16*n {
		words *= 2
	}
	return make(clientBits, words)
}

func (b clientBits) set(h uint64) {
	i := h & uint64(len(b)*64-1)
	b[i/64] |= 1 << (i % 64)
}

func (b clientBits) has(h uint64) bool {
	i := h & uint64(len(b)*64-1)
	return b[i/64]&(1<<(i%64)) != 0
}

// pairSlack is how far apart in time two legs paired by address may be.
const pairSlack = 2_000_000_000 // 2 s

// sameSingleInterface reports whether both flows were seen on one and the
// same interface only.
func sameSingleInterface(x, y *flowState) bool {
	return x.nIfaces == 1 && y.nIfaces == 1 && !x.moreIfaces && !y.moreIfaces && x.ifaces[0] == y.ifaces[0]
}
