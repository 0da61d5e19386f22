package inventory

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// builder collects objects into an Inventory. An object read twice (the same
// pod from a table and from JSON, or from two tables) becomes one whose
// fields are the union of both readings: a known value replaces an unknown
// one, and a value read from JSON or YAML replaces one read from text, which
// shows less (no port names, no container list, sometimes no labels).
type builder struct {
	inv        *Inventory
	pods       map[Ref]*Pod
	services   map[Ref]*Service
	nodes      map[string]*Node
	endpoints  map[endpointKey]int
	structured map[any]bool // pods and services last read from JSON or YAML
	opts       Options
}

type endpointKey struct {
	service  Ref
	addr     netip.AddrPort
	protocol string
	via      Via
}

func newBuilder() *builder {
	return &builder{
		inv:        &Inventory{},
		pods:       map[Ref]*Pod{},
		services:   map[Ref]*Service{},
		nodes:      map[string]*Node{},
		endpoints:  map[endpointKey]int{},
		structured: map[any]bool{},
	}
}

func (b *builder) warn(format string, args ...any) {
	b.inv.Warnings = append(b.inv.Warnings, fmt.Sprintf(format, args...))
}

func (b *builder) addPod(p *Pod, structured bool) {
	old, ok := b.pods[p.Ref]
	if !ok {
		b.pods[p.Ref] = p
		b.structured[p] = structured
		b.inv.Pods = append(b.inv.Pods, p)
		return
	}
	b.mergePod(old, p, structured)
}

func (b *builder) mergePod(old, p *Pod, structured bool) {
	wins := structured && !b.structured[old] // JSON/YAML over text
	old.IPs = unionAddrs(old.IPs, p.IPs)
	if old.Node == "" || wins && p.Node != "" {
		old.Node = p.Node
	}
	if p.Labels != nil && (old.Labels == nil || wins) {
		old.Labels = p.Labels
	}
	if p.Sidecar != Unknown && (old.Sidecar == Unknown || wins) {
		old.Sidecar = p.Sidecar
	}
	if old.Ready == "" {
		old.Ready = p.Ready
	}
	if len(p.Ports) > 0 && (len(old.Ports) == 0 || wins) {
		old.Ports = p.Ports
	}
	if p.Status != "" && (old.Status == "" || wins) {
		old.Status = p.Status
	}
	old.HostNetwork = old.HostNetwork || p.HostNetwork
	b.structured[old] = b.structured[old] || structured
}

func (b *builder) addService(s *Service, structured bool) {
	old, ok := b.services[s.Ref]
	if !ok {
		b.services[s.Ref] = s
		b.structured[s] = structured
		b.inv.Services = append(b.inv.Services, s)
		return
	}
	b.mergeService(old, s, structured)
}

func (b *builder) mergeService(old, s *Service, structured bool) {
	wins := structured && !b.structured[old]
	if s.Type != "" && (old.Type == "" || wins) {
		old.Type = s.Type
	}
	old.ClusterIPs = unionAddrs(old.ClusterIPs, s.ClusterIPs)
	old.ExternalIPs = unionAddrs(old.ExternalIPs, s.ExternalIPs)
	old.Headless = old.Headless || s.Headless
	if len(s.Ports) > 0 && (len(old.Ports) == 0 || wins) {
		old.Ports = s.Ports
	}
	if s.Selector != nil && (old.Selector == nil || wins) {
		old.Selector = s.Selector
	}
	if s.Annotations != nil && (old.Annotations == nil || wins) {
		old.Annotations = s.Annotations
	}
	b.structured[old] = b.structured[old] || structured
}

func (b *builder) addNode(n *Node) {
	old, ok := b.nodes[n.Name]
	if !ok {
		b.nodes[n.Name] = n
		b.inv.Nodes = append(b.inv.Nodes, n)
		return
	}
	old.IPs = unionAddrs(old.IPs, n.IPs)
}

func (b *builder) addEndpoint(e Endpoint) {
	k := endpointKey{e.Service, netip.AddrPortFrom(e.Addr, e.Port), protocolOrTCP(e.Protocol), e.Via}
	i, ok := b.endpoints[k]
	if !ok {
		b.endpoints[k] = len(b.inv.Endpoints)
		b.inv.Endpoints = append(b.inv.Endpoints, e)
		return
	}
	old := &b.inv.Endpoints[i]
	if old.PortName == "" {
		old.PortName = e.PortName
	}
	if old.Pod.IsZero() {
		old.Pod = e.Pod
	}
	if old.Protocol == "" {
		old.Protocol = e.Protocol
	}
}

// absorb adds everything of one file's inventory.
func (b *builder) absorb(inv *Inventory, structured bool) {
	for _, p := range inv.Pods {
		b.addPod(p, structured)
	}
	for _, s := range inv.Services {
		b.addService(s, structured)
	}
	for _, n := range inv.Nodes {
		b.addNode(n)
	}
	for _, e := range inv.Endpoints {
		b.addEndpoint(e)
	}
	b.inv.Registries = append(b.inv.Registries, inv.Registries...)
	b.inv.Warnings = append(b.inv.Warnings, inv.Warnings...)
	b.inv.Files = append(b.inv.Files, inv.Files...)
}

// finish joins each pod and service of unknown namespace (read from a table
// that did not say it) into the one object of the same name whose namespace
// is known, when there is exactly one such object, and points the endpoints
// at the joined objects.
func (b *builder) finish() {
	pods := b.joinPods()
	services := b.joinServices()
	for i := range b.inv.Endpoints {
		e := &b.inv.Endpoints[i]
		if r, ok := services[e.Service]; ok {
			e.Service = r
		}
		if r, ok := pods[e.Pod]; ok {
			e.Pod = r
		}
	}
	b.rebuildMaps()
}

func (b *builder) joinPods() map[Ref]Ref {
	var joined map[Ref]Ref
	b.inv.Pods, joined = joinByName(b.inv.Pods, func(p *Pod) Ref { return p.Ref }, func(into, p *Pod) {
		b.mergePod(into, p, b.structured[p])
	})
	return joined
}

func (b *builder) joinServices() map[Ref]Ref {
	var joined map[Ref]Ref
	b.inv.Services, joined = joinByName(b.inv.Services, func(s *Service) Ref { return s.Ref }, func(into, s *Service) {
		b.mergeService(into, s, b.structured[s])
	})
	return joined
}

// joinByName merges each object of unknown namespace into the one object of
// the same name whose namespace is known, when there is exactly one, and
// returns the objects kept and where each joined one went.
func joinByName[T any](objs []T, ref func(T) Ref, merge func(into, from T)) ([]T, map[Ref]Ref) {
	known := map[string][]T{}
	for _, o := range objs {
		if r := ref(o); r.Namespace != "" {
			known[r.Name] = append(known[r.Name], o)
		}
	}
	joined := map[Ref]Ref{}
	kept := objs[:0]
	for _, o := range objs {
		r := ref(o)
		if k := known[r.Name]; r.Namespace == "" && len(k) == 1 {
			merge(k[0], o)
			joined[r] = ref(k[0])
			continue
		}
		kept = append(kept, o)
	}
	return kept, joined
}

func (b *builder) rebuildMaps() {
	clear(b.pods)
	for _, p := range b.inv.Pods {
		b.pods[p.Ref] = p
	}
	clear(b.services)
	for _, s := range b.inv.Services {
		b.services[s.Ref] = s
	}
	clear(b.endpoints)
	eps := b.inv.Endpoints
	b.inv.Endpoints = nil
	for _, e := range eps {
		b.addEndpoint(e)
	}
}

func unionAddrs(have, more []netip.Addr) []netip.Addr {
	for _, a := range more {
		dup := false
		for _, h := range have {
			if h == a {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, a)
		}
	}
	return have
}

// plain returns a as the inventory keys addresses: an IPv4-mapped IPv6
// address as IPv4, without an IPv6 zone, which no cluster address has.
func plain(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

// protocolOrTCP normalizes a protocol name: empty means TCP, as in the
// Kubernetes API.
// Protocol is a transport's name as Kubernetes spells a port's protocol:
// "TCP", "UDP".
func Protocol(t capture.Transport) string {
	switch t {
	case capture.TCP:
		return "TCP"
	case capture.UDP:
		return "UDP"
	}
	return strings.ToUpper(t.String())
}

func protocolOrTCP(p string) string {
	if p == "" {
		return "TCP"
	}
	return strings.ToUpper(p)
}
