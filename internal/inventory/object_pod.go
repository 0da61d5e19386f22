package inventory

import (
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// sidecarName is the container Istio injects.
const sidecarName = "istio-proxy"

// pod reads a Pod: metadata, spec.nodeName, spec.hostNetwork, the
// containers (istio-proxy among them, or among the init containers with
// restartPolicy Always for native sidecars), status.phase and
// status.podIPs (status.podIP when podIPs is missing).
func (p *objParser) pod(n *yaml.Node) *source.Error {
	ref, err := p.meta(n)
	if err != nil {
		return err
	}
	pod := &Pod{Ref: ref, From: p.position(n)}
	if pod.Labels, err = p.StrMap(source.At(n, "metadata", "labels"), "metadata.labels"); err != nil {
		return err
	}
	if pod.Labels == nil {
		pod.Labels = map[string]string{} // the object lists its labels: none
	}
	spec := source.Field(n, "spec")
	if err := p.Mapping(spec, "spec"); err != nil {
		return err
	}
	if pod.Node, err = p.Str(source.Field(spec, "nodeName"), "spec.nodeName"); err != nil {
		return err
	}
	if pod.HostNetwork, err = p.Bool(source.Field(spec, "hostNetwork"), "spec.hostNetwork"); err != nil {
		return err
	}
	if err := p.containers(pod, spec); err != nil {
		return err
	}
	status := source.Field(n, "status")
	if err := p.Mapping(status, "status"); err != nil {
		return err
	}
	if pod.Status, err = p.Str(source.Field(status, "phase"), "status.phase"); err != nil {
		return err
	}
	if pod.IPs, err = p.podIPs(status); err != nil {
		return err
	}
	p.b.addPod(pod, true)
	return nil
}

func (p *objParser) podIPs(status *yaml.Node) ([]netip.Addr, *source.Error) {
	items, err := p.List(source.Field(status, "podIPs"), "status.podIPs")
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	for i, item := range items {
		a, err := p.addr(source.Field(item, "ip"), source.Indexed("status.podIPs", i)+".ip")
		if err != nil {
			return nil, err
		}
		ips = unionAddrs(ips, []netip.Addr{a})
	}
	if len(ips) > 0 {
		return ips, nil
	}
	ip := source.Field(status, "podIP")
	if s, err := p.Str(ip, "status.podIP"); err != nil || s == "" {
		return nil, err // a pod not yet scheduled has no IP
	}
	a, err := p.addr(ip, "status.podIP")
	if err != nil {
		return nil, err
	}
	return []netip.Addr{a}, nil
}

// containers reads the containers' ports and whether the sidecar is there.
// A pod whose spec lists no containers at all (a fragment) leaves Sidecar
// unknown.
func (p *objParser) containers(pod *Pod, spec *yaml.Node) *source.Error {
	main, err := p.List(source.Field(spec, "containers"), "spec.containers")
	if err != nil {
		return err
	}
	inits, err := p.List(source.Field(spec, "initContainers"), "spec.initContainers")
	if err != nil {
		return err
	}
	if len(main) > 0 {
		pod.Sidecar = Absent
	}
	read := func(c *yaml.Node, what string, init bool) *source.Error {
		name, err := p.Str(source.Field(c, "name"), what+".name")
		if err != nil {
			return err
		}
		image, err := p.Str(source.Field(c, "image"), what+".image")
		if err != nil {
			return err
		}
		if image != "" {
			pod.Images = append(pod.Images, ContainerImage{Name: name, Image: image})
		}
		if init {
			// Only a restartable init container (a native sidecar) keeps
			// running and serving its ports.
			policy, err := p.Str(source.Field(c, "restartPolicy"), what+".restartPolicy")
			if err != nil || policy != "Always" {
				return err
			}
		}
		if name == sidecarName {
			pod.Sidecar = Present
		}
		return p.containerPorts(pod, c, what)
	}
	for i, c := range main {
		if err := read(c, source.Indexed("spec.containers", i), false); err != nil {
			return err
		}
	}
	for i, c := range inits {
		if err := read(c, source.Indexed("spec.initContainers", i), true); err != nil {
			return err
		}
	}
	return nil
}

func (p *objParser) containerPorts(pod *Pod, c *yaml.Node, what string) *source.Error {
	ports, err := p.List(source.Field(c, "ports"), what+".ports")
	if err != nil {
		return err
	}
	for i, pn := range ports {
		w := source.Indexed(what+".ports", i)
		var cp ContainerPort
		if cp.Name, err = p.Str(source.Field(pn, "name"), w+".name"); err != nil {
			return err
		}
		if cp.Port, err = p.Port(source.Field(pn, "containerPort"), w+".containerPort"); err != nil {
			return err
		}
		proto, err := p.Str(source.Field(pn, "protocol"), w+".protocol")
		if err != nil {
			return err
		}
		cp.Protocol = protocolOrTCP(proto)
		pod.Ports = append(pod.Ports, cp)
	}
	return nil
}
