package inventory

import (
	"net/netip"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// service reads a Service: spec.type, spec.clusterIPs (spec.clusterIP when
// clusterIPs is missing; "None" for a headless service), spec.externalIPs,
// status.loadBalancer.ingress[].ip, spec.ports, spec.selector and
// metadata.annotations.
func (p *objParser) service(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	svc := &Service{Ref: ref, From: p.position(n)}
	if svc.Annotations, err = p.StrMap(source.At(n, "metadata", "annotations"), "metadata.annotations"); err != nil {
		return err
	}
	if svc.Annotations == nil {
		svc.Annotations = map[string]string{}
	}
	spec := source.Field(n, "spec")
	if err := p.Mapping(spec, "spec"); err != nil {
		return err
	}
	if svc.Type, err = p.Str(source.Field(spec, "type"), "spec.type"); err != nil {
		return err
	}
	if svc.Type == "" {
		svc.Type = "ClusterIP" // the API's default
	}
	if err := p.clusterIPs(svc, spec); err != nil {
		return err
	}
	if err := p.externalIPs(svc, n, spec); err != nil {
		return err
	}
	if err := p.servicePorts(svc, spec); err != nil {
		return err
	}
	if svc.Selector, err = p.StrMap(source.Field(spec, "selector"), "spec.selector"); err != nil {
		return err
	}
	if svc.Selector == nil {
		svc.Selector = map[string]string{} // no selector: endpoints are managed by hand
	}
	p.b.addService(svc, true)
	return nil
}

func (p *objParser) clusterIPs(svc *Service, spec *yaml.Node) *source.Error {
	items, err := p.List(source.Field(spec, "clusterIPs"), "spec.clusterIPs")
	if err != nil {
		return err
	}
	what := func(i int) string { return source.Indexed("spec.clusterIPs", i) }
	if len(items) == 0 {
		items = []*yaml.Node{source.Field(spec, "clusterIP")}
		what = func(int) string { return "spec.clusterIP" }
	}
	for i, item := range items {
		s, err := p.Str(item, what(i))
		if err != nil {
			return err
		}
		switch s {
		case "":
		case "None":
			svc.Headless = true
		default:
			a, err := p.addr(item, what(i))
			if err != nil {
				return err
			}
			svc.ClusterIPs = unionAddrs(svc.ClusterIPs, []netip.Addr{a})
		}
	}
	return nil
}

func (p *objParser) externalIPs(svc *Service, n, spec *yaml.Node) *source.Error {
	items, err := p.List(source.Field(spec, "externalIPs"), "spec.externalIPs")
	if err != nil {
		return err
	}
	for i, item := range items {
		a, err := p.addr(item, source.Indexed("spec.externalIPs", i))
		if err != nil {
			return err
		}
		svc.ExternalIPs = unionAddrs(svc.ExternalIPs, []netip.Addr{a})
	}
	ingress, err := p.List(source.At(n, "status", "loadBalancer", "ingress"), "status.loadBalancer.ingress")
	if err != nil {
		return err
	}
	for i, in := range ingress {
		what := source.Indexed("status.loadBalancer.ingress", i) + ".ip"
		if s, err := p.Str(source.Field(in, "ip"), what); err != nil || s == "" {
			if err != nil {
				return err
			}
			continue // a load balancer known by hostname only
		}
		a, err := p.addr(source.Field(in, "ip"), what)
		if err != nil {
			return err
		}
		svc.ExternalIPs = unionAddrs(svc.ExternalIPs, []netip.Addr{a})
	}
	return nil
}

// servicePorts reads spec.ports. A targetPort is a number or the name of a
// container port; missing, it equals port, as the API defaults it.
func (p *objParser) servicePorts(svc *Service, spec *yaml.Node) *source.Error {
	ports, err := p.List(source.Field(spec, "ports"), "spec.ports")
	if err != nil {
		return err
	}
	for i, pn := range ports {
		w := source.Indexed("spec.ports", i)
		var sp ServicePort
		if sp.Name, err = p.Str(source.Field(pn, "name"), w+".name"); err != nil {
			return err
		}
		proto, err := p.Str(source.Field(pn, "protocol"), w+".protocol")
		if err != nil {
			return err
		}
		sp.Protocol = protocolOrTCP(proto)
		if sp.Port, err = p.Port(source.Field(pn, "port"), w+".port"); err != nil {
			return err
		}
		if sp.Port == 0 {
			return p.Fail(source.Resolve(pn), ErrInvalid, "expected %s.port, the service's port number", w)
		}
		if sp.NodePort, err = p.Port(source.Field(pn, "nodePort"), w+".nodePort"); err != nil {
			return err
		}
		if err := p.targetPort(&sp, source.Field(pn, "targetPort"), w+".targetPort"); err != nil {
			return err
		}
		svc.Ports = append(svc.Ports, sp)
	}
	return nil
}

func (p *objParser) targetPort(sp *ServicePort, n *yaml.Node, what string) *source.Error {
	s, err := p.Str(n, what)
	switch {
	case err != nil:
		return err
	case s == "":
		sp.TargetPort = sp.Port
		return nil
	}
	if v, perr := strconv.ParseUint(s, 10, 64); perr == nil || source.Resolve(n).Tag == "!!int" {
		if perr != nil || v == 0 || v > 65535 {
			return p.Fail(n, ErrInvalid, "expected a port number 1-65535 or a port name for %s, found %s", what, quote(s))
		}
		sp.TargetPort = uint16(v)
		return nil
	}
	sp.TargetPortName = s
	return nil
}
