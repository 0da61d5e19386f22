package inventory

// Via says how an address is known to back a Service.
type Via uint8

// Ways of knowing, from the most to the least direct. The zero Via is
// invalid.
const (
	// ViaEndpointSlice: an EndpointSlice lists the address and port.
	ViaEndpointSlice Via = iota + 1
	// ViaEndpoints: an Endpoints object lists the address and port.
	ViaEndpoints
	// ViaIstioctl: a sidecar's registry (istioctl proxy-config endpoint) has
	// the endpoint in the Service's outbound cluster.
	ViaIstioctl
	// ViaSelector: the Service's selector matches the pod's labels and one
	// of its ports targets the port.
	ViaSelector
	// ViaPodName: a guess for pods whose labels are unknown (kubectl text
	// without --show-labels): the pod's name starts with a value of the
	// Service's selector, as Deployment pods are named after it.
	ViaPodName
)

func (v Via) String() string {
	switch v {
	case ViaEndpointSlice:
		return "endpointslice"
	case ViaEndpoints:
		return "endpoints"
	case ViaIstioctl:
		return "istioctl"
	case ViaSelector:
		return "selector"
	case ViaPodName:
		return "pod-name"
	}
	return "invalid"
}

// Backing is one Service that an address:port backs as an endpoint.
type Backing struct {
	Service Ref
	// Port is the Service's port whose target this is; nil when the Service
	// is not in the inventory or has no such port. For ViaIstioctl with the
	// Service missing, it is made from the cluster name (its Port and
	// Protocol TCP) and belongs to the Index.
	Port *ServicePort
	Via  Via
	// Pod is the pod at the address, nil when the inventory has none.
	Pod *Pod
}
