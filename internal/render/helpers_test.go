package render

import (
	"net/netip"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// The tests write reports as people read them; these make the values.

// ap reads "IP:PORT"; "" is no address.
func ap(s string) netip.AddrPort {
	if s == "" {
		return netip.AddrPort{}
	}
	return netip.MustParseAddrPort(s)
}

// ep is ap as an optional report.Endpoint.
func ep(s string) report.Endpoint { return report.Endpoint{AddrPort: ap(s)} }

// ref reads "namespace/name" or "name".
func ref(s string) inventory.Ref {
	if ns, name, ok := strings.Cut(s, "/"); ok {
		return inventory.Ref{Namespace: ns, Name: name}
	}
	return inventory.Ref{Name: s}
}

// label reads a summary label: "IP", "IP:PORT", or a reference.
func label(s string) report.Label {
	if a, err := netip.ParseAddrPort(s); err == nil {
		return report.Label{Addr: a, WithPort: true}
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return report.Label{Addr: netip.AddrPortFrom(a, 0)}
	}
	return report.Label{Ref: ref(s)}
}

// evidence makes evidence whose sentences hold each text.
func evidence(texts ...string) []*report.Evidence {
	out := make([]*report.Evidence, len(texts))
	for i, t := range texts {
		out[i] = report.NewEvidence(report.FactNotInInventory, t)
	}
	return out
}

const tcp = capture.TCP
