package istio

import (
	"fmt"
	"strings"
)

// Special namespaces of an egress host (istio/api networking/v1alpha3
// sidecar.proto, IstioEgressListener.hosts).
const (
	// NamespaceCurrent (".") is the namespace the Sidecar takes effect in:
	// its own, or the workload's for a root-namespace Sidecar
	// (pilot/pkg/model/sidecar.go convertIstioListenerToWrapper replaces
	// "." with the configNamespace, which is the proxy's namespace).
	NamespaceCurrent = "."
	// NamespaceAny ("*") matches services of every namespace.
	NamespaceAny = "*"
	// NamespaceNone ("~") matches no namespace: the listener imports no
	// service.
	NamespaceNone = "~"
)

// Host is one egress host, "namespace/dnsName".
type Host struct {
	Namespace string
	// DNSName is an FQDN, "*", or a name whose left-most label is "*"
	// ("*.example.com").
	DNSName string
}

func (h Host) String() string { return h.Namespace + "/" + h.DNSName }

// ParseHost reads an egress host. Istio requires exactly one "/" (istiod
// skips other hosts with "Illegal host in sidecar resource"); the dnsName
// may hold "*" only as its whole or as its left-most label.
func ParseHost(s string) (Host, error) {
	if strings.Count(s, "/") != 1 {
		return Host{}, fmt.Errorf("expected namespace/dnsName (\"./*\", \"istio-system/*\", \"prod/reviews.prod.svc.cluster.local\"), found %q", s)
	}
	ns, name, _ := strings.Cut(s, "/")
	if ns == "" || name == "" {
		return Host{}, fmt.Errorf("expected a namespace and a dnsName on both sides of \"/\", found %q", s)
	}
	if strings.Contains(name[min(1, len(name)):], "*") || strings.HasPrefix(name, "*") && name != "*" && !strings.HasPrefix(name, "*.") {
		return Host{}, fmt.Errorf("expected \"*\" only as the whole dnsName or its left-most label (\"*.example.com\"), found %q", s)
	}
	if strings.Contains(ns, "*") && ns != NamespaceAny {
		return Host{}, fmt.Errorf("expected a namespace name, \".\", \"*\" or \"~\", found %q", s)
	}
	return Host{Namespace: ns, DNSName: name}, nil
}

// matchesName reports whether a service host name is selected by the
// dnsName, by Istio's host.Name.SubsetOf: "*" selects every name,
// "*.example.com" every name ending in ".example.com", and any other
// dnsName only itself (pkg/config/host/name.go).
func matchesName(dnsName, hostname string) bool {
	if strings.HasPrefix(dnsName, "*") {
		return strings.HasSuffix(hostname, dnsName[1:])
	}
	return hostname == dnsName
}

// ServiceHost is the host name Istio gives a Kubernetes Service.
func ServiceHost(namespace, name string) string {
	return name + "." + namespace + ".svc." + ClusterDomain
}

// isShortName reports whether a dnsName cannot be a service's FQDN: Istio
// compares it literally, so "bookinfo/reviews" imports nothing.
func isShortName(dnsName string) bool {
	return !strings.HasPrefix(dnsName, "*") && !strings.Contains(dnsName, ".")
}
