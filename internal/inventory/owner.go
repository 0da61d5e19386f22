package inventory

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// OwnerKind is the kind of object an address belongs to.
type OwnerKind uint8

const (
	// OwnerNone: the inventory knows no object at the address.
	OwnerNone OwnerKind = iota
	OwnerPod
	// OwnerService: the address is a Service's ClusterIP or external IP.
	OwnerService
	OwnerNode
)

func (k OwnerKind) String() string {
	switch k {
	case OwnerNone:
		return "none"
	case OwnerPod:
		return "pod"
	case OwnerService:
		return "service"
	case OwnerNode:
		return "node"
	}
	return "invalid"
}

// Owner is the object an address belongs to; the field of its Kind is set.
type Owner struct {
	Kind    OwnerKind
	Pod     *Pod
	Service *Service
	Node    *Node
}

// rank orders the claims on one address: when several objects claim it, the
// lowest rank owns it. A live pod is what traffic to a pod IP reaches; a
// ClusterIP is never a pod's; a node's address is shared by its host-network
// pods and by load balancers that publish node IPs; a finished pod's IP has
// been handed back and may already be another pod's.
type rank uint8

const (
	rankLivePod rank = iota
	rankClusterIP
	rankNode
	rankHostNetworkPod
	rankExternalIP
	rankFinishedPod
)

var rankNames = [...]string{"a live pod", "a ClusterIP", "a node", "a host-network pod", "an external IP", "a finished pod"}

// claim is one object's claim on an address.
type claim struct {
	rank  rank
	owner Owner
	name  string // "pod bookinfo/reviews-v1-..."
	key   string // namespace/name, the tie-break
	from  Position
}

// finishedStatuses are pod statuses (phase or kubectl STATUS) of pods whose
// containers have all stopped for good.
var finishedStatuses = map[string]bool{
	"Succeeded": true, "Failed": true, "Completed": true, "Error": true, "Evicted": true,
	"ContainerStatusUnknown": true, "Terminated": true, "Shutdown": true, "NodeShutdown": true,
	"NodeAffinity": true, "OutOfcpu": true, "OutOfmemory": true,
}

// claims lists every object's claim on every address.
func claims(inv *Inventory) map[netip.Addr][]claim {
	out := map[netip.Addr][]claim{}
	add := func(a netip.Addr, c claim) { out[plain(a)] = append(out[plain(a)], c) }
	for _, n := range inv.Nodes {
		for _, a := range n.IPs {
			add(a, claim{rank: rankNode, owner: Owner{Kind: OwnerNode, Node: n}, name: "node " + n.Name, key: n.Name, from: n.From})
		}
	}
	for _, s := range inv.Services {
		o := Owner{Kind: OwnerService, Service: s}
		for _, a := range s.ClusterIPs {
			add(a, claim{rank: rankClusterIP, owner: o, name: "service " + s.Ref.String(), key: s.Ref.String(), from: s.From})
		}
		for _, a := range s.ExternalIPs {
			add(a, claim{rank: rankExternalIP, owner: o, name: "service " + s.Ref.String() + " (external IP)", key: s.Ref.String(), from: s.From})
		}
	}
	for _, p := range inv.Pods {
		for _, a := range p.IPs {
			r := rankLivePod
			switch {
			case p.HostNetwork:
				r = rankHostNetworkPod
			case finishedStatuses[p.Status] || strings.HasPrefix(p.Status, "OutOf"):
				r = rankFinishedPod
			}
			add(a, claim{rank: r, owner: Owner{Kind: OwnerPod, Pod: p}, name: "pod " + p.Ref.String(), key: p.Ref.String(), from: p.From})
		}
	}
	return out
}

// resolveOwner picks the owner of an address among its claims, and returns
// a warning when the claims conflict. The choice is deterministic: the
// lowest rank (a live pod, then a ClusterIP, a node, a host-network pod, an
// external IP, a finished pod), then namespace/name, then position.
//
// Some sharing is how clusters work and is not warned about: a host-network
// pod has its node's IP (any pod whose IP is a node's counts as one: a
// kubectl table cannot say, and no pod network hands out node IPs), and a
// load balancer may publish a node's IP or share one IP among Services.
func resolveOwner(a netip.Addr, cs []claim) (Owner, string) {
	hasNode := slices.ContainsFunc(cs, func(c claim) bool { return c.rank == rankNode })
	for i := range cs {
		if hasNode && cs[i].rank == rankLivePod {
			cs[i].rank = rankHostNetworkPod
		}
	}
	slices.SortStableFunc(cs, func(x, y claim) int {
		return cmp.Or(cmp.Compare(x.rank, y.rank), cmp.Compare(x.key, y.key), cmp.Compare(x.from.String(), y.from.String()))
	})
	var conflicting []claim
	for _, c := range cs {
		if c.rank != rankHostNetworkPod && c.rank != rankExternalIP {
			conflicting = append(conflicting, c)
		}
	}
	if len(conflicting) < 2 {
		return cs[0].owner, ""
	}
	names := make([]string, len(conflicting))
	for i, c := range conflicting {
		names[i] = fmt.Sprintf("%s (%s)", c.name, c.from)
	}
	win, next := cs[0], conflicting[0]
	if next.name == win.name {
		next = conflicting[1]
	}
	why := "first by namespace/name"
	if win.rank != next.rank {
		why = rankNames[win.rank] + " comes before " + rankNames[next.rank]
	}
	return win.owner, fmt.Sprintf("%s is claimed by %s; using %s: %s", a, strings.Join(names, " and "), win.name, why)
}
