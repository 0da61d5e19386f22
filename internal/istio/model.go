package istio

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// DefaultRootNamespace is the root namespace when the mesh config names
// none (pkg/config/mesh/mesh.go DefaultMeshConfig: RootNamespace
// istio-system).
const DefaultRootNamespace = "istio-system"

// ClusterDomain is the suffix of service host names:
// name.namespace.svc.cluster.local.
const ClusterDomain = "cluster.local"

// Policy is an outbound traffic policy mode. The zero value, PolicyUnset,
// means the object does not set one and inherits.
type Policy uint8

const (
	// PolicyUnset: not set here; the next level decides.
	PolicyUnset Policy = iota
	// AllowAny: the sidecar passes connections to unknown destinations
	// through to their original address (PassthroughCluster).
	AllowAny
	// RegistryOnly: the sidecar drops connections to unknown destinations
	// (BlackHoleCluster).
	RegistryOnly
)

var policyNames = [...]string{PolicyUnset: "unset", AllowAny: "ALLOW_ANY", RegistryOnly: "REGISTRY_ONLY"}

func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}

// ParsePolicy reads an outboundTrafficPolicy mode as Istio spells it.
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "ALLOW_ANY":
		return AllowAny, nil
	case "REGISTRY_ONLY":
		return RegistryOnly, nil
	}
	return PolicyUnset, fmt.Errorf("mesh: unknown outboundTrafficPolicy mode %q, want ALLOW_ANY or REGISTRY_ONLY", s)
}

// Sidecar is one Istio Sidecar object, reduced to what decides a sidecar's
// outbound registry.
type Sidecar struct {
	inventory.Ref
	// Created is metadata.creationTimestamp; zero when the object does not
	// say (a manifest rather than kubectl output).
	Created time.Time
	// Selector is spec.workloadSelector.labels; nil when there is no
	// workloadSelector (the Sidecar applies to its whole namespace).
	Selector map[string]string
	// Egress is spec.egress; empty means one listener for "*/*".
	Egress []Listener
	// OutboundPolicy is spec.outboundTrafficPolicy.mode; PolicyUnset when
	// absent.
	OutboundPolicy Policy
	From           inventory.Position
	// node is the object as read, kept for suggest --from, which merges
	// into it and writes it back.
	node *yaml.Node
}

// Listener is one egress listener of a Sidecar.
type Listener struct {
	// Port and Protocol are spec.egress[].port; Port is 0 for a listener
	// that catches every port.
	Port     uint16
	Protocol string
	Hosts    []Host
}

// EgressHosts lists the Sidecar's egress hosts as written, "*/*" when it
// has no egress.
func (s *Sidecar) EgressHosts() []string {
	if len(s.Egress) == 0 {
		return []string{"*/*"}
	}
	var out []string
	for _, l := range s.Egress {
		for _, h := range l.Hosts {
			hs := h.String()
			if l.Port != 0 {
				hs += fmt.Sprintf(" (port %d)", l.Port)
			}
			out = append(out, hs)
		}
	}
	return out
}

// Describe names the Sidecar and where it was read: "default/default
// (sidecars/file1.yaml:3)".
func (s *Sidecar) Describe() string {
	return fmt.Sprintf("%s (%s)", s.Ref, s.From)
}

// MeshConfig is what pcapcheck reads of Istio's MeshConfig.
type MeshConfig struct {
	// RootNamespace is rootNamespace; "" when not set.
	RootNamespace string
	// OutboundPolicy is outboundTrafficPolicy.mode; PolicyUnset when not set.
	OutboundPolicy Policy
	// DefaultServiceExportTo is defaultServiceExportTo; nil when not set.
	DefaultServiceExportTo []string
	From                   inventory.Position
}

// Config is the Istio configuration a prediction is made from: Sidecar
// objects and at most one mesh config.
type Config struct {
	// Sidecars are sorted by namespace and name once loading is done.
	Sidecars []*Sidecar
	// Mesh is nil when no mesh config was read: Istio's defaults apply.
	Mesh *MeshConfig
	// ServiceEntries are the ServiceEntry objects read, in reading order.
	ServiceEntries []*ServiceEntry
	// Files lists every file something was taken from, in reading order.
	Files    []string
	Warnings []string
	// Version is the Istio release predicted for; zero means Latest.
	// VersionFrom says where it was taken from ("--istio-version", "image
	// docker.io/istio/pilot:1.30.2 of istio-system/istiod-...").
	Version     Version
	VersionFrom string
	// meshFile is set while Load reads --mesh-config files: there a
	// document without kind is a MeshConfig even with no field set ({}).
	meshFile bool
	// taken counts the documents taken, so that Load can tell a file that
	// held none.
	taken int
}

// Empty reports whether no Sidecar, ServiceEntry or mesh config was read.
func (c *Config) Empty() bool {
	return c == nil || len(c.Sidecars) == 0 && c.Mesh == nil && len(c.ServiceEntries) == 0
}

// RootNamespace is the mesh config's rootNamespace, else istio-system.
func (c *Config) RootNamespace() string {
	if c != nil && c.Mesh != nil && c.Mesh.RootNamespace != "" {
		return c.Mesh.RootNamespace
	}
	return DefaultRootNamespace
}

// MeshPolicy is the mesh-wide outbound traffic policy and where it comes
// from: the mesh config, else Istio's default ALLOW_ANY
// (pkg/config/mesh/mesh.go DefaultMeshConfig).
func (c *Config) MeshPolicy() (Policy, string) {
	if c != nil && c.Mesh != nil && c.Mesh.OutboundPolicy != PolicyUnset {
		return c.Mesh.OutboundPolicy, "the mesh config (" + c.Mesh.From.String() + ")"
	}
	return AllowAny, "Istio's default"
}

// Istio is the Istio release predicted for and where that comes from:
// Version, else Latest ("the newest release pcapcheck knows").
func (c *Config) Istio() (Version, string) {
	if c != nil && c.Version.IsValid() {
		return c.Version, c.VersionFrom
	}
	return Latest, "the newest release pcapcheck knows"
}

// defaultExportTo is the mesh config's defaultServiceExportTo, else ["*"]
// (pkg/config/mesh/mesh.go DefaultMeshConfig).
func (c *Config) defaultExportTo() []string {
	if c != nil && c.Mesh != nil && c.Mesh.DefaultServiceExportTo != nil {
		return c.Mesh.DefaultServiceExportTo
	}
	return []string{"*"}
}

// defaultExportToNote says how a version-specific rule of
// defaultServiceExportTo read the mesh's list; "" when the versions agree.
func (c *Config) defaultExportToNote() string {
	d := c.defaultExportTo()
	v, _ := c.Istio()
	onlyStar := len(d) == 1 && d[0] == "*"
	if onlyStar || len(d) == 0 {
		return ""
	}
	if v.AtLeast(V1_31) {
		return fmt.Sprintf("Istio %s: defaultServiceExportTo %v is read as istiod 1.31 does (any * makes unannotated services public; . and namespace names export them to those namespaces)", v, d)
	}
	return fmt.Sprintf("Istio %s: defaultServiceExportTo %v is read as istiod before 1.31 does (any . makes unannotated services private, else * public; namespace names are ignored)", v, d)
}

func (c *Config) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(c.Warnings, w) {
		c.Warnings = append(c.Warnings, w)
	}
}

// selectorString prints labels as k=v,k=v in key order.
func selectorString(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}
