package report

import (
	"fmt"
	"strings"
)

// Path is the path a flow is predicted to take from the Sidecar objects and
// the mesh config. The zero value means no prediction.
type Path uint8

const (
	pathNone Path = iota
	// ExpectSidecarDNAT: the sidecar knows the service and picks an
	// endpoint; the capture should show the pod's address.
	ExpectSidecarDNAT
	// ExpectPassthrough: the sidecar does not know the destination (or does
	// not intercept it) and passes it through; kube-proxy picks the pod.
	ExpectPassthrough
	// ExpectBlocked: REGISTRY_ONLY and the destination is not in the
	// registry; the sidecar sends it to BlackHoleCluster and nothing
	// leaves the pod.
	ExpectBlocked
	// ExpectEgress: a ServiceEntry in the sidecar's scope names the
	// destination (a host or an address outside the cluster); the sidecar
	// sends the connection out of the pod to it, under REGISTRY_ONLY too.
	ExpectEgress
	numPaths
)

var pathNames = [numPaths]string{pathNone: "", ExpectSidecarDNAT: "sidecar-dnat", ExpectPassthrough: "passthrough", ExpectBlocked: "blocked", ExpectEgress: "egress"}

// String returns the name reports use, the same as the matching verdict's;
// "" for no prediction.
func (p Path) String() string {
	if p < numPaths {
		return pathNames[p]
	}
	return "invalid"
}

// IsZero reports whether there is no prediction.
func (p Path) IsZero() bool { return p == pathNone }

// Matches reports whether a flow observed as v took the path p predicts.
func (p Path) Matches(v Verdict) bool {
	switch p {
	case ExpectSidecarDNAT:
		return v == SidecarDNAT
	case ExpectPassthrough:
		return v == Passthrough
	case ExpectEgress:
		return v == External
	}
	return false
}

// ParsePath reads a path's name, as an expectations file gives it.
func ParsePath(s string) (Path, error) {
	for p := ExpectSidecarDNAT; p < numPaths; p++ {
		if pathNames[p] == s {
			return p, nil
		}
	}
	return pathNone, fmt.Errorf("unknown expected path %q, want one of sidecar-dnat, passthrough, blocked, egress", s)
}

// MarshalText writes the path's name.
func (p Path) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// PathSet is the set of expected paths of a summary row's flows.
type PathSet uint8

// Add returns the set with p in it.
func (s PathSet) Add(p Path) PathSet {
	if p == pathNone || p >= numPaths {
		return s
	}
	return s | 1<<p
}

// IsZero reports whether the set is empty: nothing was predicted.
func (s PathSet) IsZero() bool { return s == 0 }

// Only reports whether the set is exactly {p}.
func (s PathSet) Only(p Path) bool { return s == PathSet(0).Add(p) }

// Matches reports whether the set is one path and v took it.
func (s PathSet) Matches(v Verdict) bool {
	for p := ExpectSidecarDNAT; p < numPaths; p++ {
		if s.Only(p) {
			return p.Matches(v)
		}
	}
	return false
}

// String joins the paths with "+" in their fixed order; "" when empty.
func (s PathSet) String() string {
	var names []string
	for p := ExpectSidecarDNAT; p < numPaths; p++ {
		if s&(1<<p) != 0 {
			names = append(names, p.String())
		}
	}
	return strings.Join(names, "+")
}

// MarshalText writes the set as String does.
func (s PathSet) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
