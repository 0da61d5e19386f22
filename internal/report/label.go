package report

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Label names a summary row's client or destination: the Kubernetes object
// when the inventory names one (a pod, a service), else the address: the
// client's IP, or the destination's IP and port (WithPort).
type Label struct {
	Ref      inventory.Ref
	Addr     netip.AddrPort
	WithPort bool
}

// String is the label as reports print it: "namespace/name", "IP" or
// "IP:PORT".
func (l Label) String() string {
	switch {
	case !l.Ref.IsZero():
		return l.Ref.String()
	case !l.Addr.IsValid():
		return ""
	case l.WithPort:
		return l.Addr.String()
	}
	return l.Addr.Addr().String()
}

// MarshalText writes the label as String does.
func (l Label) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Compare orders labels as their text sorts, which is how reports list
// them.
func (l Label) Compare(o Label) int {
	a, b := l.String(), o.String()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
