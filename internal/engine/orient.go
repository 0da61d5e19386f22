package engine

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// orienter decides which side of a flow is the client.
type orienter struct {
	idx *inventory.Index
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
	svc, _ := o.idx.ServiceAt(vip.Addr(), vip.Port(), proto)
	if svc == nil {
		return false
	}
	backs := o.idx.Backends(ep.Addr(), ep.Port(), proto)
	for _, b := range backs {
		if b.Service == svc.Ref || (b.Service.Namespace == "" && b.Service.Name == svc.Name) {
			return true
		}
	}
	if len(backs) > 0 {
		// The inventory says which Services ep backs, and this is not one:
		// a connection from the same client port to it is another
		// connection (a multi-node lab run saw a sidecar's upstream
		// connections to reviews' ClusterIP and to mongodb's pod leave from
		// one port).
		return false
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
	if svc, port := o.idx.ServiceAt(ep.Addr(), ep.Port(), proto); svc != nil && port != nil {
		return 2
	}
	if len(o.idx.Backends(ep.Addr(), ep.Port(), proto)) > 0 {
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
func (o *orienter) clientSide(f *flowState, l7 *l7Info) (uint8, report.ClientFrom) {
	switch {
	case f.synFrom != sideNone:
		return f.synFrom, report.BySyn
	case f.synAckFrom != sideNone:
		return 1 - f.synAckFrom, report.BySynAck
	case l7 != nil && l7.helloFrom != sideNone:
		return l7.helloFrom, report.ByPayload
	case l7 != nil && l7.httpFrom != sideNone:
		return l7.httpFrom, report.ByPayload
	}
	if sa, sb := o.serverScore(f.key.A(), f.key.proto), o.serverScore(f.key.B(), f.key.proto); sa != sb {
		if sa > sb {
			return sideB, report.ByInventory
		}
		return sideA, report.ByInventory
	}
	if ra, rb := portRank(f.key.aPort), portRank(f.key.bPort); ra != rb {
		if ra > rb {
			return sideB, report.ByPorts
		}
		return sideA, report.ByPorts
	}
	if f.firstFrom != sideNone {
		return f.firstFrom, report.ByFirstPacket
	}
	return sideA, report.ByFirstPacket
}
