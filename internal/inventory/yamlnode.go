package inventory

import (
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// JSON and YAML are both read into yaml.v3 nodes (package source), so that
// every value keeps the line and column it was read at and every error can
// point at it. objParser reads one field of a known shape with the
// source.Reader it embeds; an address is the one shape only the inventory
// reads.

// addr reads an IP address field.
func (p *objParser) addr(n *yaml.Node, what string) (netip.Addr, *source.Error) {
	s, err := p.Str(n, what)
	if err != nil {
		return netip.Addr{}, err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil {
		found := quote(s)
		if source.IsNull(n) {
			found = "nothing"
		}
		return netip.Addr{}, p.Fail(n, ErrInvalid, "expected an IP address for %s, found %s", what, found)
	}
	return plain(a), nil
}
