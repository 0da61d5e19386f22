package engine

import (
	"fmt"
	"math"
	"math/bits"
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// DefaultMaxFlows is how many flows an Analyzer keeps apart when
// Options.MaxFlows is not set: about 300 MB of flow table.
const DefaultMaxFlows = 2_000_000

// foldLevel says how a flow past the limit was folded. The zero value is
// an ordinary flow.
type foldLevel uint8

const (
	notFolded foldLevel = iota
	// foldClient: the flows of one client address to one server address
	// and port, the client's port set to 0. Their verdict is the one each
	// would have had: it rests on the client's and server's addresses.
	foldClient
	// foldServer: the flows of any client to one server address and
	// port, the client set to the unspecified address.
	foldServer
	// foldAll: everything else of one protocol and address family.
	foldAll
)

// The share of the flow limit each fold level may add, so that the table
// never holds more than 1.5 times the limit, whatever the capture holds.
const (
	foldClientShare = 4 // a quarter of the limit
	foldServerShare = 2 // up to half, with the client-level ones
)

// folds counts what was folded, for the report's warning.
type folds struct {
	// flows estimates how many distinct flows were folded.
	flows hyperLogLog
	// packets counts the packets counted in folded flows.
	packets int64
	// aggregates counts the flows that hold folded ones, per level.
	aggregates [foldAll + 1]int
}

// fold finds or creates the aggregate flow a packet of a flow past the
// limit is counted in, and returns it with the side of the packet's sender
// in its key. k is the packet's own flow key.
func (a *Analyzer) fold(p *capture.Packet, k *flowKey) (int32, uint8) {
	a.folds.flows.add(k)
	a.folds.packets++
	client, server := guessServer(p.Src, p.Dst)
	clientSent := client == p.Src
	n := a.table.len()
	for level := foldClient; ; level++ {
		var c, s netip.AddrPort
		switch level {
		case foldClient:
			c, s = netip.AddrPortFrom(client.Addr(), 0), server
		case foldServer:
			c, s = netip.AddrPortFrom(unspecified(client.Addr()), 0), server
		default:
			c, s = netip.AddrPortFrom(unspecified(client.Addr()), 0), netip.AddrPortFrom(unspecified(server.Addr()), 0)
		}
		src, dst := c, s
		if !clientSent {
			src, dst = s, c
		}
		fp := capture.Packet{Transport: p.Transport, Src: src, Dst: dst}
		fk, side := keyOf(&fp)
		kh := a.table.hash(&fk)
		if fi, ok := a.table.lookup(&fk, kh); ok {
			return fi, side
		}
		limit := a.maxFlows + a.maxFlows/foldClientShare
		if level == foldServer {
			limit = a.maxFlows + a.maxFlows/foldServerShare
		}
		if level != foldAll && n >= limit {
			continue
		}
		fi := a.table.insert(&fk, kh)
		f := a.table.at(fi)
		f.folded, f.l7Done = level, true
		a.folds.aggregates[level]++
		return fi, side
	}
}

// guessServer tells which endpoint of a packet of an unknown flow is the
// server by its port alone, so that both directions of a connection fold
// into the same aggregate: the port that looks more like a server's (see
// portRank), then the lower port, then the lower address.
func guessServer(x, y netip.AddrPort) (client, server netip.AddrPort) {
	rx, ry := portRank(x.Port()), portRank(y.Port())
	switch {
	case rx > ry, rx == ry && x.Port() < y.Port(), rx == ry && x.Port() == y.Port() && x.Addr().Less(y.Addr()):
		return y, x
	}
	return x, y
}

// unspecified is 0.0.0.0 or ::, of a's family.
func unspecified(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// folded reports whether a connection holds an aggregate of folded flows.
func (a *flowData) folded(r *connRef) bool {
	for _, li := range r.legs {
		if li >= 0 && a.table.at(li).folded != notFolded {
			return true
		}
	}
	return false
}

// foldWarning says what the flow limit folded, or "" when nothing was.
func (a *flowData) foldWarning() string {
	if a.folds.packets == 0 {
		return ""
	}
	limit := fmt.Sprintf("more than %d flows", a.maxFlows)
	if a.maxFlows == 1 {
		limit = "more than 1 flow"
	}
	return fmt.Sprintf("%s (--max-flows): about %d further flows (%d packets) were folded into %d flows per client address and destination, %d per destination and %d per protocol; their verdicts are those of the aggregates",
		limit, a.folds.flows.estimate(), a.folds.packets,
		a.folds.aggregates[foldClient], a.folds.aggregates[foldServer], a.folds.aggregates[foldAll])
}

// foldFacts is the evidence of an aggregate flow, by how it was folded.
var foldFacts = [...]report.Fact{foldClient: report.FactAggregateClient, foldServer: report.FactAggregateServer, foldAll: report.FactAggregateAll}

// hyperLogLog estimates how many distinct hashes it was given, in 4 KiB,
// within about 1.6%.
type hyperLogLog struct {
	reg *[hllRegisters]uint8
}

// hllSeeds seed the estimate's hash; never changed.
var hllSeeds = [3]uint64{0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9}

const (
	hllBits      = 12
	hllRegisters = 1 << hllBits
)

// add counts a key. Its hash has fixed seeds, unlike the flow table's, so
// that the estimate is the same on every run.
func (l *hyperLogLog) add(k *flowKey) {
	if l.reg == nil {
		l.reg = new([hllRegisters]uint8)
	}
	h := hashKey(k, &hllSeeds)
	i := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1)) + 1)
	l.reg[i] = max(l.reg[i], rank)
}

// estimate returns the estimated count, with the small-range correction.
func (l *hyperLogLog) estimate() int64 {
	if l.reg == nil {
		return 0
	}
	const m = float64(hllRegisters)
	sum, zeros := 0.0, 0
	for _, r := range l.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}
