package analyze

import (
	"net/netip"
	"slices"

	"github.com/pcapcheck/pcapcheck/capture"
)

// conn is one connection as the report shows it: a single flow, or the two
// legs of a NATed connection merged, oriented from client to server.
type conn struct {
	legs       []int32 // flows, the leg with the original destination first
	proto      capture.Transport
	client     netip.AddrPort
	server     netip.AddrPort
	natTo      netip.AddrPort // zero unless a NAT leg was paired
	pairedBy   string         // "packets" or "addresses" when paired
	clientFrom string
	handshake  string
	packets    int64
	bytes      int64
	dups       int64
	first      int64
	last       int64
	ifaces     []int32
	l7         *l7Info
}

// connections merges NAT legs and orients every flow.
func (a *Analyzer) connections(o *orienter) []conn {
	paired := make([]bool, a.table.len())
	var conns []conn
	for _, pr := range a.natPairs() {
		if c, ok := a.pairConn(pr, o, "packets"); ok {
			paired[pr.pre], paired[pr.post] = true, true
			conns = append(conns, c)
		}
	}
	singles := make([]conn, 0, a.table.len())
	for i := range a.table.len() {
		if !paired[i] {
			singles = append(singles, a.singleConn(int32(i), o))
		}
	}
	merged, rest := a.pairByAddress(singles, o)
	conns = append(conns, merged...)
	return append(conns, rest...)
}

// natPairs turns the packet votes into pairs, each flow in at most one:
// pairs with more votes win, ties go to the lower flow numbers so that the
// result does not depend on map order.
func (a *Analyzer) natPairs() []natPair {
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

// pairConn merges two legs. The endpoint both legs share is the client:
// kube-proxy's DNAT rewrites the destination and leaves the client alone.
// Legs that share no endpoint (both addresses rewritten) are not merged.
func (a *Analyzer) pairConn(pr natPair, o *orienter, by string) (conn, bool) {
	pre, post := a.table.at(pr.pre), a.table.at(pr.post)
	var client, server, natTo netip.AddrPort
	preA, preB, postA, postB := pre.key.A(), pre.key.B(), post.key.A(), post.key.B()
	switch {
	case preA == postA:
		client, server, natTo = preA, preB, postB
	case preA == postB:
		client, server, natTo = preA, preB, postA
	case preB == postA:
		client, server, natTo = preB, preA, postB
	case preB == postB:
		client, server, natTo = preB, preA, postA
	default:
		return conn{}, false
	}
	// A SYN from the other side means the shared endpoint is the server and
	// the client's address was rewritten (masquerade): not kube-proxy's
	// DNAT of a ClusterIP, so the legs stay apart.
	for _, f := range []*flowState{pre, post} {
		if f.synFrom != sideNone && f.key.endpoint(f.synFrom) != client {
			return conn{}, false
		}
	}
	// The inventory knows better which leg carries the ClusterIP.
	if o.isService(natTo) && !o.isService(server) {
		server, natTo = natTo, server
		pr.pre, pr.post = pr.post, pr.pre
		pre, post = post, pre
	}
	c := conn{legs: []int32{pr.pre, pr.post}, proto: pre.key.proto, client: client, server: server,
		natTo: natTo, pairedBy: by, clientFrom: "nat"}
	for _, f := range []*flowState{pre, post} {
		cs := sideOf(f.key, client)
		if f.synFrom == cs || f.synAckFrom == 1-cs {
			c.clientFrom = "syn"
		}
	}
	a.fill(&c, o)
	return c, true
}

// singleConn orients one unpaired flow.
func (a *Analyzer) singleConn(i int32, o *orienter) conn {
	f := a.table.at(i)
	cs, from := o.clientSide(f, a.l7For(f))
	c := conn{legs: []int32{i}, proto: f.key.proto, client: f.key.endpoint(cs), server: f.key.endpoint(1 - cs), clientFrom: from}
	a.fill(&c, o)
	return c
}

// fill sums the legs' counters and works out the handshake seen.
func (a *Analyzer) fill(c *conn, o *orienter) {
	var syn, synAck bool
	c.first = -1
	for _, li := range c.legs {
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
		if c.l7 == nil {
			c.l7 = a.l7For(f)
		}
	}
	if c.proto == capture.TCP {
		switch {
		case syn && synAck:
			c.handshake = "complete"
		case syn:
			c.handshake = "syn"
		case synAck:
			c.handshake = "syn-ack"
		default:
			c.handshake = "none"
		}
	}
}

// l7For returns what the flow's payload said, or nil.
func (a *Analyzer) l7For(f *flowState) *l7Info {
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
// the inventory to know which address is the ClusterIP.
func (a *Analyzer) pairByAddress(singles []conn, o *orienter) (merged, rest []conn) {
	if o.idx == nil {
		return nil, singles
	}
	type clientKey struct {
		proto  capture.Transport
		client netip.AddrPort
	}
	// Only clients that sent to a Service address can have a second leg:
	// index those, then look at the other flows of the same client.
	pres := map[clientKey][]int{}
	isService := make([]bool, len(singles))
	for i := range singles {
		c := &singles[i]
		if isService[i] = o.isService(c.server); isService[i] && !a.folded(c) {
			k := clientKey{c.proto, c.client}
			pres[k] = append(pres[k], i)
		}
	}
	if len(pres) == 0 {
		return nil, singles
	}
	used := make([]bool, len(singles))
	for j := range singles {
		post := &singles[j]
		// Aggregates of folded flows (fold.go) share a client "address:0"
		// with unrelated connections: never legs of one.
		if isService[j] || a.folded(post) {
			continue
		}
		for _, i := range pres[clientKey{post.proto, post.client}] {
			pre := &singles[i]
			if used[i] || !o.backsServiceAt(post.server, pre.server, pre.proto) {
				continue
			}
			if post.first > pre.last+int64(pairSlack) || post.last+int64(pairSlack) < pre.first {
				continue
			}
			c, ok := a.pairConn(natPair{pre: pre.legs[0], post: post.legs[0]}, o, "addresses")
			if !ok {
				continue
			}
			used[i], used[j] = true, true
			merged = append(merged, c)
			break
		}
	}
	for i, c := range singles {
		if !used[i] {
			rest = append(rest, c)
		}
	}
	return merged, rest
}

// pairSlack is how far apart in time two legs paired by address may be.
const pairSlack = 2_000_000_000 // 2 s
