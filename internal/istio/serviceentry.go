package istio

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// ServiceEntryType is the inventory.Service Type of a service a
// ServiceEntry host adds to the registry: its Name is the host.
const ServiceEntryType = "ServiceEntry"

// ServiceEntry is one Istio ServiceEntry object, reduced to what puts
// services in a sidecar's registry.
type ServiceEntry struct {
	inventory.Ref
	Hosts     []string
	Addresses []string
	Ports     []inventory.ServicePort
	// ExportTo is spec.exportTo; nil when absent (the mesh's
	// defaultServiceExportTo decides).
	ExportTo   []string
	Location   string // MESH_EXTERNAL (the default) or MESH_INTERNAL
	Resolution string // NONE (the default), STATIC, DNS, DNS_ROUND_ROBIN
	From       inventory.Position
}

// readServiceEntry reads a ServiceEntry: metadata, spec.hosts, addresses,
// ports, exportTo, location and resolution. Endpoints and
// workloadSelector are not read: they change no cluster name.
func (c *Config) readServiceEntry(d inventory.Document) *source.Error {
	r := newReader(d.Path, d.Node)
	n := d.Node
	ref, err := inventory.ReadMeta(r, n, "ServiceEntry")
	if err != nil {
		return err
	}
	if ref.Namespace == "" {
		ref.Namespace = "default"
		c.warn("%s:%d: ServiceEntry %s has no metadata.namespace; assuming default, as kubectl apply would without -n", r.Path, n.Line, ref.Name)
	}
	se := &ServiceEntry{Ref: ref, From: inventory.Position{Path: d.Path, Line: n.Line}}
	spec := source.Field(n, "spec")
	if err := r.Mapping(spec, "spec"); err != nil {
		return err
	}
	strs := func(key string) ([]string, *source.Error) {
		items, err := r.List(source.Field(spec, key), "spec."+key)
		if err != nil {
			return nil, err
		}
		var out []string
		for i, it := range items {
			s, err := r.Str(it, source.Indexed("spec."+key, i))
			if err != nil {
				return nil, err
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	if se.Hosts, err = strs("hosts"); err != nil {
		return err
	}
	if len(se.Hosts) == 0 {
		return r.Invalidf(spec, "expected spec.hosts of ServiceEntry %s to list at least one host", ref)
	}
	if se.Addresses, err = strs("addresses"); err != nil {
		return err
	}
	if se.ExportTo, err = strs("exportTo"); err != nil {
		return err
	}
	if se.Location, err = r.Str(source.Field(spec, "location"), "spec.location"); err != nil {
		return err
	}
	if se.Resolution, err = r.Str(source.Field(spec, "resolution"), "spec.resolution"); err != nil {
		return err
	}
	ports, err := r.List(source.Field(spec, "ports"), "spec.ports")
	if err != nil {
		return err
	}
	for i, pn := range ports {
		w := source.Indexed("spec.ports", i)
		var p inventory.ServicePort
		if p.Port, err = r.Port(source.Field(pn, "number"), w+".number"); err != nil {
			return err
		}
		if p.Name, err = r.Str(source.Field(pn, "name"), w+".name"); err != nil {
			return err
		}
		if p.Protocol, err = r.Str(source.Field(pn, "protocol"), w+".protocol"); err != nil {
			return err
		}
		if p.TargetPort, err = r.Port(source.Field(pn, "targetPort"), w+".targetPort"); err != nil {
			return err
		}
		se.Ports = append(se.Ports, p)
	}
	c.ServiceEntries = append(c.ServiceEntries, se)
	return nil
}

// entryServices are the registry's services of the ServiceEntries, one per
// host (and namespace), as pilot/pkg/serviceregistry/serviceentry
// conversion.go convertServices makes them (release-1.31 eed52ebb66ad):
// Ref{namespace, host}, Type ServiceEntryType, the entry's ports, its
// exportTo carried as the annotation's value (an empty list: the mesh
// default). A host that is also a Kubernetes service's name is left out:
// the Kubernetes service takes precedence (pilot/pkg/model/sidecar.go
// SidecarScope.addService). Two entries of one namespace with the same
// host: the first read.
func (c *Config) entryServices(services []*inventory.Service) []*inventory.Service {
	if c == nil || len(c.ServiceEntries) == 0 {
		return nil
	}
	k8s := map[string]bool{}
	for _, s := range services {
		if s.Type != ServiceEntryType {
			k8s[ServiceHost(s.Namespace, s.Name)] = true
		}
	}
	var out []*inventory.Service
	for _, se := range c.ServiceEntries {
		for _, h := range se.Hosts {
			ref := inventory.Ref{Namespace: se.Namespace, Name: h}
			if k8s[h] || slices.ContainsFunc(out, func(s *inventory.Service) bool { return s.Ref == ref }) {
				continue
			}
			s := &inventory.Service{Ref: ref, Type: ServiceEntryType, Ports: slices.Clone(se.Ports), From: se.From,
				ExternalIPs: entryAddrs(se.Addresses)}
			if se.ExportTo != nil {
				s.Annotations = map[string]string{ExportToAnnotation: strings.Join(se.ExportTo, ",")}
			}
			out = append(out, s)
		}
	}
	return out
}

// hostOf is a registry service's host name: a ServiceEntry's host as
// written, a Kubernetes service's name.namespace.svc.cluster.local.
func hostOf(svc *inventory.Service) string {
	if svc.Type == ServiceEntryType {
		return svc.Name
	}
	return ServiceHost(svc.Namespace, svc.Name)
}

// entryAddrs are the single addresses of a ServiceEntry's spec.addresses;
// a CIDR range is left out.
func entryAddrs(addresses []string) []netip.Addr {
	var out []netip.Addr
	for _, a := range addresses {
		if ip, err := netip.ParseAddr(a); err == nil {
			out = append(out, ip)
		}
	}
	return out
}

// matchEntry returns the ServiceEntry service in scope that names d: one of
// its hosts equals, or as a "*." wildcard covers, a name the flow carried
// (its SNI or HTTP Host), or one of its addresses is the flow's; and the
// port is one it imports (an entry without ports takes any).
func (s *Scope) matchEntry(d Destination) *Import {
	for i := range s.Imports {
		imp := &s.Imports[i]
		svc := imp.Service
		if svc.Type != ServiceEntryType {
			continue
		}
		named := slices.Contains(svc.ExternalIPs, d.Addr.Addr())
		for _, n := range d.Names {
			named = named || hostCovers(svc.Name, n)
		}
		if !named {
			continue
		}
		if len(imp.Ports) == 0 && len(svc.Ports) == 0 {
			return imp
		}
		for _, p := range imp.Ports {
			if p.Port == d.Addr.Port() {
				return imp
			}
		}
	}
	return nil
}

// hostCovers reports whether a ServiceEntry host covers name: equal, or a
// "*.suffix" wildcard of which name is a subdomain.
func hostCovers(host, name string) bool {
	host, name = strings.ToLower(host), strings.ToLower(strings.TrimSuffix(name, "."))
	if host == name {
		return true
	}
	suffix, ok := strings.CutPrefix(host, "*")
	return ok && strings.HasSuffix(name, suffix) && len(name) > len(suffix)
}
