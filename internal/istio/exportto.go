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

// visibleTo reports whether svc is visible to workloads of namespace ns.
//
// From Istio 1.31 on, as pilot/pkg/model/push_context.go
// (release-1.31, eed52ebb66ad) serviceExportTo and initServiceRegistry
// decide: the service's exportTo, else the mesh's defaultServiceExportTo,
// read the same way:
//
//   - holding "*": public, whatever else it holds;
//   - else holding "~": visible to no one, not even its own namespace;
//   - else each entry: "." or the service's own namespace make it visible
//     there, any other name makes it visible to that namespace.
//
// Before 1.31 the mesh default was read differently when the service has
// no exportTo: any "." makes the service private to its namespace, else
// "*" public; other entries are not honoured (visibleTo130).
func visibleTo(svc *inventory.Service, ns string, defaults []string, v Version) bool {
	set := exportTo(svc)
	if set == nil {
		if !v.AtLeast(V1_31) {
			return visibleTo130(svc, ns, defaults)
		}
		set = defaults
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

// visibleTo130 is the pre-1.31 reading of defaultServiceExportTo for a
// service without exportTo, as the 1.30-era istiod (b01690e6db7d) does it.
func visibleTo130(svc *inventory.Service, ns string, defaults []string) bool {
	switch {
	case slices.Contains(defaults, "."):
		return svc.Namespace == ns
	case slices.Contains(defaults, "*"):
		return true
	}
	return false
}
