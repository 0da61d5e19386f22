package report

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Reading a report back: the types' UnmarshalText methods read what their
// MarshalText wrote, so that a JSON or YAML report can be decoded into a
// Report (a test reading the CLI's output, or a tool merging reports).
// Evidence read back keeps its sentence and whether it is ambiguous; its
// Fact and Args are not recovered.

// UnmarshalText reads "IP", "IP:PORT" or a reference.
func (l *Label) UnmarshalText(b []byte) error {
	s := string(b)
	if a, err := netip.ParseAddrPort(s); err == nil {
		*l = Label{Addr: a, WithPort: true}
		return nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		*l = Label{Addr: netip.AddrPortFrom(a, 0)}
		return nil
	}
	var r inventory.Ref
	if err := r.UnmarshalText(b); err != nil {
		return err
	}
	*l = Label{Ref: r}
	return nil
}

// factRead is the fact of evidence read back from a report's text.
const factRead = numFacts

// UnmarshalText reads an evidence sentence.
func (e *Evidence) UnmarshalText(b []byte) error {
	text := string(b)
	*e = Evidence{Fact: factRead, Ambiguous: strings.HasPrefix(text, AmbiguousPrefix), text: text}
	return nil
}

// UnmarshalText reads a client_from value.
func (c *ClientFrom) UnmarshalText(b []byte) error {
	for i, name := range clientFromNames {
		if name == string(b) {
			*c = ClientFrom(i)
			return nil
		}
	}
	return fmt.Errorf("unknown client_from %q", b)
}

// UnmarshalText reads a handshake value; "" is none.
func (h *Handshake) UnmarshalText(b []byte) error {
	for i, name := range handshakeNames {
		if name == string(b) {
			*h = Handshake(i)
			return nil
		}
	}
	return fmt.Errorf("unknown handshake %q", b)
}

// UnmarshalText reads a comma-separated list.
func (l *Interfaces) UnmarshalText(b []byte) error {
	*l = nil
	if len(b) > 0 {
		*l = strings.Split(string(b), ",")
	}
	return nil
}

// UnmarshalText reads a path's name; "" is none.
func (p *Path) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = pathNone
		return nil
	}
	parsed, err := ParsePath(string(b))
	*p = parsed
	return err
}

// UnmarshalText reads paths joined by "+".
func (s *PathSet) UnmarshalText(b []byte) error {
	*s = 0
	for _, name := range strings.Split(string(b), "+") {
		if name == "" {
			continue
		}
		p, err := ParsePath(name)
		if err != nil {
			return err
		}
		*s = s.Add(p)
	}
	return nil
}

// UnmarshalText reads verdicts joined by "+", or Absent.
func (s *VerdictSet) UnmarshalText(b []byte) error {
	*s = 0
	if string(b) == Absent {
		return nil
	}
	for _, name := range strings.Split(string(b), "+") {
		v, err := ParseVerdict(name)
		if err != nil {
			return err
		}
		*s = s.Add(v)
	}
	return nil
}
