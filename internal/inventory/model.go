package inventory

import (
	"fmt"
	"net/netip"
	"strings"
)

// Position is where an object was read: a file and a 1-based line (0 when the
// format has no useful line, such as a JSON document).
type Position struct {
	Path string
	Line int
}

func (p Position) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	return p.Path
}

// Ref names a namespaced object: "namespace/name".
type Ref struct {
	Namespace string
	Name      string
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Name == "" }

// Presence is a tri-state fact: known present, known absent, or not known.
type Presence uint8

const (
	// Unknown: the inventory does not say (kubectl -o wide text has no container list).
	Unknown Presence = iota
	Present
	Absent
)

func (p Presence) String() string {
	switch p {
	case Present:
		return "present"
	case Absent:
		return "absent"
	}
	return "unknown"
}

// Pod is one pod of the inventory.
type Pod struct {
	Ref
	IPs  []netip.Addr
	Node string
	// Labels is nil when the source has none (kubectl -o wide without
	// --show-labels), and non-nil (possibly empty) when it lists them.
	Labels map[string]string
	// Sidecar says whether the pod has an istio-proxy container (or init
	// container, for native sidecars). Text sources leave it Unknown, except
	// that READY "2/2" hints Present only through the report, never here.
	Sidecar Presence
	// Ready is the READY column of kubectl text ("2/2"), when read from text.
	Ready string
	// Ports are the containers' declared ports, used to resolve named targetPorts.
	Ports []ContainerPort
	// Images are the containers' and init containers' images by container
	// name, in spec order ("istio-proxy", "docker.io/istio/proxyv2:1.31.0"):
	// the Istio release is read from them. Empty for text sources.
	Images []ContainerImage
	// Status is the STATUS column of kubectl text ("Running", "Completed",
	// "CrashLoopBackOff") or status.phase of JSON/YAML ("Running",
	// "Succeeded"); empty when the source does not say.
	Status string
	// HostNetwork is spec.hostNetwork: the pod uses its node's addresses, so
	// sharing an IP with the node or other host-network pods is expected.
	HostNetwork bool
	From        Position
}

// ContainerImage is a container's name and image.
type ContainerImage struct {
	Name, Image string
}

// ContainerPort is one port a pod's container declares.
type ContainerPort struct {
	Name     string
	Port     uint16
	Protocol string // "TCP", "UDP" or "SCTP"; "TCP" when unset
}

// Service is one Service of the inventory.
type Service struct {
	Ref
	Type       string // ClusterIP, NodePort, LoadBalancer, ExternalName
	ClusterIPs []netip.Addr
	// Headless is true for clusterIP "None": such a Service has no virtual
	// address and clients reach its pods directly.
	Headless bool
	// ExternalIPs holds spec.externalIPs and load-balancer ingress IPs.
	ExternalIPs []netip.Addr
	Ports       []ServicePort
	// Selector is nil when the source does not say, empty for "<none>".
	Selector    map[string]string
	Annotations map[string]string
	From        Position
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name     string
	Protocol string // "TCP", "UDP" or "SCTP"; "TCP" when unset
	Port     uint16
	// TargetPort is the numeric targetPort; 0 when it is named or unknown.
	TargetPort uint16
	// TargetPortName is a named targetPort, resolved through endpoints or the
	// pods' container ports.
	TargetPortName string
	NodePort       uint16
}

// Endpoint is one address:port behind a Service, from an EndpointSlice, an
// Endpoints object or an istioctl cluster.
type Endpoint struct {
	Service  Ref
	Addr     netip.Addr
	Port     uint16
	PortName string // the Service port's name, as EndpointSlice ports carry it
	Protocol string
	// Pod is the targetRef when it names a Pod.
	Pod Ref
	// NotReady is true for an address that is not ready to serve
	// (EndpointSlice condition ready=false, Endpoints notReadyAddresses).
	NotReady bool
	// Via says which kind of object listed the endpoint: ViaEndpointSlice or
	// ViaEndpoints.
	Via  Via
	From Position
}

// Node is one node of the inventory.
type Node struct {
	Name string
	IPs  []netip.Addr // InternalIP and ExternalIP addresses
	From Position
}

// Registry is what one sidecar knows: the output of `istioctl proxy-config
// endpoint POD`, table or JSON.
type Registry struct {
	// Proxy is the pod the output was taken from, as the transcript's
	// istioctl command names it ("my-shell", "my-shell.default"); empty when
	// the file does not say.
	Proxy    Ref
	Clusters []Cluster
	From     Position
}

// Cluster is one Envoy cluster and its endpoints.
type Cluster struct {
	// Name is the cluster name as istioctl prints it:
	// "outbound|9080||reviews.bookinfo.svc.cluster.local" or "prometheus_stats".
	Name string
	// Direction, Port, Subset and Host are Name's parts when it has the
	// "direction|port|subset|host" form; empty or zero otherwise.
	Direction string
	Port      uint16
	Subset    string
	Host      string
	Endpoints []ClusterEndpoint
}

// ClusterEndpoint is one endpoint of a cluster.
type ClusterEndpoint struct {
	Addr   netip.AddrPort
	Status string // HEALTHY, UNHEALTHY, ...
	Line   int
}

// Inventory is everything known about the cluster, merged from all inputs.
type Inventory struct {
	Pods       []*Pod
	Services   []*Service
	Endpoints  []Endpoint
	Nodes      []*Node
	Registries []*Registry
	// Warnings are facts about the inputs that do not stop reading: an IP
	// claimed by two objects, a file that held nothing recognizable.
	Warnings []string
	// Files lists every file read, with the kind detected.
	Files []File
}

// File is one inventory file and what it held.
type File struct {
	Path string
	Kind string // one of the Kind constants: "kubectl-text", "kubernetes-json", ...
}

// Empty reports whether the inventory knows no address at all.
func (inv *Inventory) Empty() bool {
	return inv == nil || (len(inv.Pods) == 0 && len(inv.Services) == 0 && len(inv.Endpoints) == 0 &&
		len(inv.Nodes) == 0 && len(inv.Registries) == 0)
}

// MarshalText writes the reference as String does, as reports spell it.
func (r Ref) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads "namespace/name" or "name".
func (r *Ref) UnmarshalText(b []byte) error {
	ns, name, ok := strings.Cut(string(b), "/")
	if !ok {
		*r = Ref{Name: string(b)}
		return nil
	}
	*r = Ref{Namespace: ns, Name: name}
	return nil
}
