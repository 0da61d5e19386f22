package istio

import (
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// ExportToAnnotation is the Service annotation that limits which
// namespaces see a service.
const ExportToAnnotation = "networking.istio.io/exportTo"

// exportTo returns a service's exportTo set, split at commas and trimmed as
// pilot/pkg/serviceregistry/kube/conversion.go ConvertService does; nil when
// the annotation is absent or empty (or the inventory did not say).
func exportTo(svc *inventory.Service) []string {
	v := svc.Annotations[ExportToAnnotation]
	if v == "" {
		return nil
	}
	var out []string
	for _, ns := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(ns))
	}
	return out
}

// visibleTo reports whether svc is visible to workloads of namespace ns, as
// pilot/pkg/model/push_context.go initServiceRegistry and
// servicesExportedToNamespace decide:
//
//   - no exportTo: the mesh's defaultServiceExportTo decides, "." making
//     the service private to its namespace, "*" public; other entries of
//     the default are not honoured;
//   - exportTo holding "*": public, whatever else it holds;
//   - else holding "~": visible to no one, not even its own namespace;
//   - else each entry: "." or the service's own namespace make it visible
//     there, any other name makes it visible to that namespace.
func visibleTo(svc *inventory.Service, ns string, defaults []string) bool {
	set := exportTo(svc)
	if set == nil {
		switch {
		case slices.Contains(defaults, "."):
			return svc.Namespace == ns
		case slices.Contains(defaults, "*"):
			return true
		}
		return false
	}
	if slices.Contains(set, "*") {
		return true
	}
	if slices.Contains(set, "~") {
		return false
	}
	for _, e := range set {
		if (e == "." || e == svc.Namespace) && svc.Namespace == ns || e == ns {
			return true
		}
	}
	return false
}
