package report

import (
	"fmt"
	"math/bits"
	"strings"
)

// Verdict says which path a flow took. The zero value is invalid.
type Verdict uint8

const (
	verdictInvalid Verdict = iota
	// SidecarDNAT: the client sent to a pod IP and port that is an endpoint
	// of a Service. The sidecar picked the endpoint: the flow is in the mesh.
	SidecarDNAT
	// Passthrough: the client sent to a Service ClusterIP. The sidecar did
	// not know the service (or there is no sidecar) and kube-proxy picks the
	// pod: the flow bypasses the mesh.
	Passthrough
	// PodDirect: sent to a pod IP that backs no Service on that port, or from
	// a pod that has no sidecar.
	PodDirect
	// Node: sent to a node address.
	Node
	// External: sent to an address the inventory does not know.
	External
	// Unknown: not enough information to tell; the evidence says what is missing.
	Unknown
	// Istio: the traffic of Istio's own machinery in an injected pod (its
	// Role says which: the agent's control-plane connection, probes,
	// metrics scrapes, Envoy's admin port, DNS capture, inbound delivery,
	// HBONE). It is outside the application's data path by design, and never
	// the application's traffic bypassing the mesh.
	Istio
	numVerdicts
)

var verdictNames = [numVerdicts]string{
	verdictInvalid: "invalid", SidecarDNAT: "sidecar-dnat", Passthrough: "passthrough",
	PodDirect: "pod-direct", Node: "node", External: "external", Unknown: "unknown", Istio: "istio",
}

// String returns the verdict's name as reports print it.
func (v Verdict) String() string {
	if v < numVerdicts {
		return verdictNames[v]
	}
	return "invalid"
}

// Verdicts returns every valid verdict in a stable order.
func Verdicts() []Verdict {
	out := make([]Verdict, 0, numVerdicts-1)
	for v := SidecarDNAT; v < numVerdicts; v++ {
		out = append(out, v)
	}
	return out
}

// ParseVerdict reads a verdict's name.
func ParseVerdict(s string) (Verdict, error) {
	for v := SidecarDNAT; v < numVerdicts; v++ {
		if verdictNames[v] == s {
			return v, nil
		}
	}
	names := make([]string, 0, numVerdicts)
	for _, v := range Verdicts() {
		names = append(names, v.String())
	}
	return verdictInvalid, fmt.Errorf("unknown verdict %q, want one of %s", s, strings.Join(names, ", "))
}

// MarshalText makes a verdict its name in JSON and YAML.
func (v Verdict) MarshalText() ([]byte, error) {
	if v == verdictInvalid || v >= numVerdicts {
		return nil, fmt.Errorf("report: cannot marshal invalid verdict %d", v)
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	parsed, err := ParseVerdict(string(b))
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}

// InMesh reports whether the verdict means the sidecar handled the flow.
func (v Verdict) InMesh() bool { return v == SidecarDNAT }

// VerdictSet is a set of verdicts: the verdicts one side of a comparison
// shows for a client and destination. The empty set means the side has no
// such traffic ("absent").
type VerdictSet uint8

// Absent is how an empty VerdictSet is spelled.
const Absent = "absent"

// Add returns the set with v in it.
func (s VerdictSet) Add(v Verdict) VerdictSet {
	if v == verdictInvalid || v >= numVerdicts {
		return s
	}
	return s | 1<<v
}

// Has reports whether v is in the set.
func (s VerdictSet) Has(v Verdict) bool { return v < numVerdicts && s&(1<<v) != 0 }

// Empty reports whether the set has no verdict.
func (s VerdictSet) Empty() bool { return s == 0 }

// Len counts the verdicts in the set.
func (s VerdictSet) Len() int {
	return bits.OnesCount8(uint8(s))
}

// Only reports whether the set is exactly {v}.
func (s VerdictSet) Only(v Verdict) bool { return s == VerdictSet(0).Add(v) }

// All yields the verdicts of the set in their fixed order.
func (s VerdictSet) All() func(yield func(Verdict) bool) {
	return func(yield func(Verdict) bool) {
		for v := SidecarDNAT; v < numVerdicts; v++ {
			if s.Has(v) && !yield(v) {
				return
			}
		}
	}
}

// String joins the verdicts with "+" in their fixed order, or says Absent.
func (s VerdictSet) String() string {
	if s == 0 {
		return Absent
	}
	var b strings.Builder
	for v := range s.All() {
		if b.Len() > 0 {
			b.WriteByte('+')
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// MarshalText writes the set as String does.
func (s VerdictSet) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
