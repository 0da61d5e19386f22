package inventory

import (
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// endpointSlice reads an EndpointSlice (discovery.k8s.io/v1 or v1beta1,
// which agree on every field read here). Its Service is the
// kubernetes.io/service-name label, or the Service that owns it. Every
// address of every endpoint is paired with every port: the ports carry the
// resolved numbers of named targetPorts and the Service port's name.
func (p *objParser) endpointSlice(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	svc, err := p.sliceService(n, ref)
	if err != nil || svc.IsZero() {
		return err
	}
	addrType, err := p.Str(source.Field(n, "addressType"), "addressType")
	if err != nil || addrType == "FQDN" {
		return err // FQDN slices hold names, not addresses
	}
	ports, err := p.endpointPorts(source.Field(n, "ports"), "ports")
	if err != nil {
		return err
	}
	eps, err := p.List(source.Field(n, "endpoints"), "endpoints")
	if err != nil {
		return err
	}
	for i, ep := range eps {
		w := source.Indexed("endpoints", i)
		ready := source.Field(source.At(ep, "conditions"), "ready")
		isReady, err := p.Bool(ready, w+".conditions.ready")
		if err != nil {
			return err
		}
		pod, err := p.targetPod(source.Field(ep, "targetRef"), ref.Namespace, w+".targetRef")
		if err != nil {
			return err
		}
		addrs, err := p.List(source.Field(ep, "addresses"), w+".addresses")
		if err != nil {
			return err
		}
		for j, an := range addrs {
			a, err := p.addr(an, source.Indexed(w+".addresses", j))
			if err != nil {
				return err
			}
			for _, port := range ports {
				p.b.addEndpoint(Endpoint{
					Service: svc, Addr: a, Port: port.Port, PortName: port.Name, Protocol: port.Protocol,
					Pod: pod, NotReady: !source.IsNull(ready) && !isReady, Via: ViaEndpointSlice, From: p.position(an),
				})
			}
		}
	}
	return nil
}

// sliceService returns the Service an EndpointSlice belongs to; a slice
// that names none is skipped with a warning.
func (p *objParser) sliceService(n *yaml.Node, slice Ref) (Ref, *source.Error) {
	name, err := p.Str(source.At(n, "metadata", "labels", "kubernetes.io/service-name"), "metadata.labels")
	if err != nil {
		return Ref{}, err
	}
	if name == "" {
		owners, err := p.List(source.At(n, "metadata", "ownerReferences"), "metadata.ownerReferences")
		if err != nil {
			return Ref{}, err
		}
		for _, o := range owners {
			if k, _ := p.Str(source.Field(o, "kind"), "kind"); k == "Service" {
				name, _ = p.Str(source.Field(o, "name"), "name")
			}
		}
	}
	if name == "" {
		p.b.warn("%s:%d: skipped EndpointSlice %s: it names no Service (no kubernetes.io/service-name label)", p.Path, n.Line, slice)
		return Ref{}, nil
	}
	return Ref{Namespace: slice.Namespace, Name: name}, nil
}

// endpointPorts reads EndpointSlice or Endpoints ports. A port without a
// number ("all ports" in an EndpointSlice) has nothing to match and is left
// out.
func (p *objParser) endpointPorts(n *yaml.Node, what string) ([]ContainerPort, *source.Error) {
	items, err := p.List(n, what)
	if err != nil {
		return nil, err
	}
	var out []ContainerPort
	for i, pn := range items {
		w := source.Indexed(what, i)
		var cp ContainerPort
		if cp.Name, err = p.Str(source.Field(pn, "name"), w+".name"); err != nil {
			return nil, err
		}
		if cp.Port, err = p.Port(source.Field(pn, "port"), w+".port"); err != nil {
			return nil, err
		}
		proto, err := p.Str(source.Field(pn, "protocol"), w+".protocol")
		if err != nil {
			return nil, err
		}
		cp.Protocol = protocolOrTCP(proto)
		if cp.Port != 0 {
			out = append(out, cp)
		}
	}
	return out, nil
}

// targetPod returns the pod a targetRef names, zero for other kinds.
func (p *objParser) targetPod(ref *yaml.Node, namespace, what string) (Ref, *source.Error) {
	if err := p.Mapping(ref, what); err != nil || source.IsNull(ref) {
		return Ref{}, err
	}
	kind, err := p.Str(source.Field(ref, "kind"), what+".kind")
	if err != nil || kind != "Pod" {
		return Ref{}, err
	}
	name, err := p.Str(source.Field(ref, "name"), what+".name")
	if err != nil {
		return Ref{}, err
	}
	ns, err := p.Str(source.Field(ref, "namespace"), what+".namespace")
	if ns == "" {
		ns = namespace
	}
	return Ref{Namespace: ns, Name: name}, err
}

// endpoints reads an Endpoints object (core v1): every ready and not-ready
// address of each subset paired with the subset's ports.
func (p *objParser) endpoints(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	subsets, err := p.List(source.Field(n, "subsets"), "subsets")
	if err != nil {
		return err
	}
	for i, ss := range subsets {
		w := source.Indexed("subsets", i)
		ports, err := p.endpointPorts(source.Field(ss, "ports"), w+".ports")
		if err != nil {
			return err
		}
		for _, group := range []struct {
			key      string
			notReady bool
		}{{"addresses", false}, {"notReadyAddresses", true}} {
			addrs, err := p.List(source.Field(ss, group.key), w+"."+group.key)
			if err != nil {
				return err
			}
			for j, an := range addrs {
				aw := source.Indexed(w+"."+group.key, j)
				a, err := p.addr(source.Field(an, "ip"), aw+".ip")
				if err != nil {
					return err
				}
				pod, err := p.targetPod(source.Field(an, "targetRef"), ref.Namespace, aw+".targetRef")
				if err != nil {
					return err
				}
				for _, port := range ports {
					p.b.addEndpoint(Endpoint{
						Service: ref, Addr: a, Port: port.Port, PortName: port.Name, Protocol: port.Protocol,
						Pod: pod, NotReady: group.notReady, Via: ViaEndpoints, From: p.position(source.Resolve(an)),
					})
				}
			}
		}
	}
	return nil
}

// node reads a Node's InternalIP and ExternalIP addresses.
func (p *objParser) node(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	node := &Node{Name: ref.Name, From: p.position(n)}
	addrs, err := p.List(source.At(n, "status", "addresses"), "status.addresses")
	if err != nil {
		return err
	}
	for i, an := range addrs {
		w := source.Indexed("status.addresses", i)
		typ, err := p.Str(source.Field(an, "type"), w+".type")
		if err != nil {
			return err
		}
		if typ != "InternalIP" && typ != "ExternalIP" {
			continue // Hostname, InternalDNS, ExternalDNS
		}
		a, err := p.addr(source.Field(an, "address"), w+".address")
		if err != nil {
			return err
		}
		node.IPs = append(node.IPs, a)
	}
	p.b.addNode(node)
	return nil
}
