package engine

import (
	"fmt"
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
	numVerdicts
)

var verdictNames = [numVerdicts]string{
	verdictInvalid: "invalid", SidecarDNAT: "sidecar-dnat", Passthrough: "passthrough",
	PodDirect: "pod-direct", Node: "node", External: "external", Unknown: "unknown",
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
	return verdictInvalid, fmt.Errorf("analyze: unknown verdict %q, want one of %s", s, strings.Join(names, ", "))
}

// MarshalText makes a verdict its name in JSON and YAML.
func (v Verdict) MarshalText() ([]byte, error) {
	if v == verdictInvalid || v >= numVerdicts {
		return nil, fmt.Errorf("analyze: cannot marshal invalid verdict %d", v)
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
