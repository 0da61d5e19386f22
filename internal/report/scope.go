package report

import (
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// SchemaScope names the JSON and YAML document of `pcapcheck scope`.
const SchemaScope = "pcapcheck/scope/v1"

// Scope is the predicted registry of one pod's sidecar: the document
// `pcapcheck scope` prints.
type Scope struct {
	Schema string        `json:"schema" yaml:"schema"`
	Pod    inventory.Ref `json:"pod" yaml:"pod"`
	PodIPs []netip.Addr  `json:"pod_ips" yaml:"pod_ips"`
	// Sidecar is the Sidecar that applies; zero when none does.
	// SidecarFrom is where it was read.
	Sidecar     inventory.Ref `json:"sidecar,omitzero" yaml:"sidecar,omitempty"`
	SidecarFrom string        `json:"sidecar_from,omitempty" yaml:"sidecar_from,omitempty"`
	// Why says how the Sidecar was chosen, or why none applies.
	Why string `json:"why" yaml:"why"`
	// Egress lists the egress hosts in force ("*/*" without Sidecar).
	Egress                []string `json:"egress" yaml:"egress"`
	OutboundTrafficPolicy string   `json:"outbound_traffic_policy" yaml:"outbound_traffic_policy"`
	PolicyFrom            string   `json:"policy_from" yaml:"policy_from"`
	// Clusters are the outbound clusters the sidecar has, with the
	// endpoints when the inventory tells them.
	Clusters []ScopeCluster `json:"clusters" yaml:"clusters"`
	// Hidden lists services an egress host names but exportTo hides.
	Hidden   []inventory.Ref `json:"hidden,omitempty" yaml:"hidden,omitempty"`
	Warnings []string        `json:"warnings" yaml:"warnings"`
	// IstioVersion is the Istio release predicted for, IstioVersionFrom
	// where it was taken from; Notes say where a rule of that release
	// decided.
	IstioVersion     string   `json:"istio_version,omitempty" yaml:"istio_version,omitempty"`
	IstioVersionFrom string   `json:"istio_version_from,omitempty" yaml:"istio_version_from,omitempty"`
	Notes            []string `json:"notes,omitempty" yaml:"notes,omitempty"`
}

// ScopeCluster is one predicted outbound cluster.
type ScopeCluster struct {
	Name      string           `json:"name" yaml:"name"`
	Service   inventory.Ref    `json:"service" yaml:"service"`
	Port      uint16           `json:"port" yaml:"port"`
	Endpoints []netip.AddrPort `json:"endpoints" yaml:"endpoints"`
	// EndpointsFrom says how the endpoints are known; omitted when none is.
	EndpointsFrom string `json:"endpoints_from,omitempty" yaml:"endpoints_from,omitempty"`
}
