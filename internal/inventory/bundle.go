package inventory

import (
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// An inventory bundle is one file holding everything pcapcheck reads about a
// cluster, as `kubectl pcapcheck inventory` writes it: a kubectl-style List
//
//	{"apiVersion": "v1", "kind": "List", "items": [
//	  {"kind": "Pod", ...}, {"kind": "Service", ...}, {"kind": "EndpointSlice", ...},
//	  {"kind": "Node", ...}, {"kind": "Sidecar", ...}, {"kind": "ServiceEntry", ...},
//	  {"kind": "ConfigMap", "metadata": {"namespace": "istio-system", "name": "istio"}, ...},
//	  {"apiVersion": "pcapcheck.dev/v1", "kind": "SidecarRegistry",
//	   "metadata": {"namespace": "default", "name": "my-shell"},
//	   "clusters": {"cluster_statuses": [...]}}]}
//
// The Kubernetes objects are read as any kubectl -o json listing; the Istio
// objects and the mesh ConfigMap are handed to Options.Documents (package
// istio takes them); a SidecarRegistry is one sidecar's registry, Envoy's
// admin /clusters?format=json response kept verbatim under "clusters", named
// by the pod it was read from, as istioctl proxy-config endpoint POD reads it.

const (
	// BundleAPIVersion is the apiVersion of the items pcapcheck defines.
	BundleAPIVersion = "pcapcheck.dev/v1"
	// KindSidecarRegistry is the kind of an item holding one sidecar's
	// registry.
	KindSidecarRegistry = "SidecarRegistry"
)

// sidecarRegistry reads a SidecarRegistry item into a registry that names
// its proxy pod.
func (p *objParser) sidecarRegistry(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	clusters := source.Field(n, "clusters")
	if err := p.Mapping(clusters, "clusters"); err != nil {
		return err
	}
	if source.IsNull(clusters) {
		return p.Invalidf(n, "expected clusters in the SidecarRegistry %s: Envoy's /clusters?format=json response", ref)
	}
	// Envoy leaves cluster_statuses out when it has no cluster: a registry
	// that knows nothing, read as such.
	list := source.FieldOf(clusters, "cluster_statuses", "clusterStatuses")
	before := len(p.b.inv.Registries)
	istioctl := p.istioctl
	if err := p.clusterStatuses(list, n); err != nil {
		return err
	}
	p.istioctl = istioctl // the file is a Kubernetes listing, not istioctl output
	if len(p.b.inv.Registries) > before {
		p.b.inv.Registries[before].Proxy = ref
	}
	return nil
}
