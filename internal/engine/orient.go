package engine

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// orienter decides which side of a flow is the client.
type orienter struct {
	idx *inventory.Index
}

func protoName(t capture.Transport) string {
	if t == capture.UDP {
		return "UDP"
	}
	return "TCP"
}

// isService reports whether ep is a Service's ClusterIP or external IP.
func (o *orienter) isService(ep netip.AddrPort) bool {
	if o.idx == nil {
		return false
	}
	return o.idx.Owner(ep.Addr()).Kind == inventory.OwnerService
}

// backsServiceAt reports whether pod endpoint ep backs the service whose
// address is vip.
func (o *orienter) backsServiceAt(ep, vip netip.AddrPort, proto capture.Transport) bool {
	svc, _ := o.idx.ServiceAt(vip.Addr(), vip.Port(), protoName(proto))
	if svc == nil {
		return false
	}
	for _, b := range o.idx.Backends(ep.Addr(), ep.Port(), protoName(proto)) {
		if b.Service == svc.Ref || (b.Service.Namespace == "" && b.Service.Name == svc.Name) {
			return true
		}
	}
	// A text inventory may not say which pods back a service; a pod at
	// least makes the pairing plausible.
	return o.idx.Owner(ep.Addr()).Kind == inventory.OwnerPod
}

// serverScore ranks how much the inventory says ep is a server: a service
// address and port, then a service endpoint.
func (o *orienter) serverScore(ep netip.AddrPort, proto capture.Transport) int {
	if o.idx == nil {
		return 0
	}
	if svc, port := o.idx.ServiceAt(ep.Addr(), ep.Port(), protoName(proto)); svc != nil && port != nil {
		return 2
	}
	if len(o.idx.Backends(ep.Addr(), ep.Port(), protoName(proto))) > 0 {
		return 1
	}
	return 0
}

// portRank ranks how much a port looks like a server's: a well-known port,
// then a registered one, then one from the ephemeral ranges clients use
// (Linux 32768-60999, IANA 49152-65535).
func portRank(p uint16) int {
	switch {
	case p == 0:
		return 0
	case p < 1024:
		return 3
	case p < 32768:
		return 2
	}
	return 1
}

// clientSide says which side of f is the client and how that was told: a
// SYN, a SYN-ACK, a ClientHello or HTTP request, the inventory, the ports,
// or, for lack of anything better, who sent first.
func (o *orienter) clientSide(f *flowState, l7 *l7Info) (uint8, clientHow) {
	switch {
	case f.synFrom != sideNone:
		return f.synFrom, bySyn
	case f.synAckFrom != sideNone:
		return 1 - f.synAckFrom, bySynAck
	case l7 != nil && l7.helloFrom != sideNone:
		return l7.helloFrom, byPayload
	case l7 != nil && l7.httpFrom != sideNone:
		return l7.httpFrom, byPayload
	}
	if sa, sb := o.serverScore(f.key.A(), f.key.proto), o.serverScore(f.key.B(), f.key.proto); sa != sb {
		if sa > sb {
			return sideB, byInventory
		}
		return sideA, byInventory
	}
	if ra, rb := portRank(f.key.aPort), portRank(f.key.bPort); ra != rb {
		if ra > rb {
			return sideB, byPorts
		}
		return sideA, byPorts
	}
	if f.firstFrom != sideNone {
		return f.firstFrom, byFirstPacket
	}
	return sideA, byFirstPacket
}

// clientHow says how the client of a connection was told.
type clientHow uint8

const (
	bySyn clientHow = iota
	bySynAck
	byPayload
	byInventory
	byPorts
	byFirstPacket
	// byNAT: the endpoint both legs of a NATed connection share.
	byNAT
)

var clientHowNames = [...]string{bySyn: "syn", bySynAck: "syn-ack", byPayload: "payload", byInventory: "inventory",
	byPorts: "ports", byFirstPacket: "first-packet", byNAT: "nat"}

func (h clientHow) String() string { return clientHowNames[h] }
