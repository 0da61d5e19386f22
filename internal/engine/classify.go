package engine

import (
	"net/netip"
	"slices"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/peek"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// judgement is a connection's verdict and what it rests on.
type judgement struct {
	verdict     report.Verdict
	service     inventory.Ref
	servicePort uint16
	evidence    []*report.Evidence
	memo        *evidenceMemo
}

func (j *judgement) add(fact report.Fact, args ...any) {
	j.evidence = append(j.evidence, j.memo.say(fact, args...))
}

// evidenceMemo makes each distinct piece of evidence once. Thousands of
// flows to one service rest on the same facts about the same values;
// sharing one Evidence saves formatting its sentence and holding it again.
type evidenceMemo struct {
	lines map[memoKey]*report.Evidence
}

// memoKey is a fact and its arguments, which are all comparable values
// (addresses, references, positions, numbers, strings).
type memoKey struct {
	fact report.Fact
	args [maxMemoArgs]any
}

// maxMemoArgs is how many arguments a memoized fact may have; facts with
// more are made every time.
const maxMemoArgs = 4

func (m *evidenceMemo) say(fact report.Fact, args ...any) *report.Evidence {
	if m == nil || len(args) > maxMemoArgs {
		return report.NewEvidence(fact, args...)
	}
	k := memoKey{fact: fact}
	for i, a := range args {
		switch a.(type) {
		case string, int, uint16, netip.Addr, netip.AddrPort, netip.Prefix, inventory.Ref, inventory.Position, report.Verdict:
			k.args[i] = a
		default:
			// Not known to be comparable: a map key could panic.
			return report.NewEvidence(fact, args...)
		}
	}
	if e, ok := m.lines[k]; ok {
		return e
	}
	e := report.NewEvidence(fact, args...)
	if m.lines == nil {
		m.lines = map[memoKey]*report.Evidence{}
	}
	m.lines[k] = e
	return e
}

// classifier turns a connection plus the inventory into a judgement.
type classifier struct {
	idx  *inventory.Index
	memo evidenceMemo
	// podRanges and serviceRanges are the prefixes (/16, /64) the
	// inventory's pods and services fall in, to say where an unknown
	// address probably belongs.
	podRanges     []netip.Prefix
	serviceRanges []netip.Prefix
	// backings remembers the inventory's answer for each server endpoint:
	// thousands of flows go to the same few pods.
	backings map[backingKey][]inventory.Backing
	owners   ownerCache
	// judgedAddresses remembers judgeAddresses (judgeAddressesOnce).
	judgedAddresses map[addressKey]judgement
}

// owner is c.idx.Owner, remembered; c.idx must not be nil.
func (c *classifier) owner(addr netip.Addr) inventory.Owner { return c.owners.owner(c.idx, addr) }

type backingKey struct {
	ep    netip.AddrPort
	proto capture.Transport
}

// backends is c.idx.Backends, remembered.
func (c *classifier) backends(ep netip.AddrPort, proto capture.Transport) []inventory.Backing {
	k := backingKey{ep, proto}
	bs, ok := c.backings[k]
	if !ok {
		bs = c.idx.Backends(ep.Addr(), ep.Port(), proto)
		if c.backings == nil {
			c.backings = map[backingKey][]inventory.Backing{}
		}
		c.backings[k] = bs
	}
	return bs
}

func newClassifier(inv *inventory.Inventory, idx *inventory.Index) *classifier {
	c := &classifier{idx: idx}
	if idx == nil {
		return c
	}
	for _, p := range inv.Pods {
		for _, ip := range p.IPs {
			c.podRanges = addRange(c.podRanges, ip)
		}
	}
	for _, s := range inv.Services {
		for _, ip := range s.ClusterIPs {
			c.serviceRanges = addRange(c.serviceRanges, ip)
		}
	}
	return c
}

func addRange(ranges []netip.Prefix, ip netip.Addr) []netip.Prefix {
	bits := 16
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ranges
	}
	for _, r := range ranges {
		if r == p {
			return ranges
		}
	}
	return append(ranges, p)
}

// judge applies the verdict rules: Istio's own traffic by its role, an
// application connection the capture shows intercepted by the sidecar,
// else the addresses (judgeAddresses), and what the capture of the pod's
// lo adds to them.
func (c *classifier) judge(cn *conn) judgement {
	switch {
	case cn.role != 0 && cn.role != report.RoleSidecarUpstream:
		return c.judgeRole(cn)
	case cn.intercepted == report.Intercepted:
		return c.judgeIntercepted(cn)
	}
	j := c.judgeAddressesOnce(cn)
	switch {
	case cn.role == report.RoleSidecarUpstream:
		j.add(report.FactUpstreamLeg, cn.carriedClient, cn.carriedOrig)
	case cn.intercepted == report.NotIntercepted:
		j.add(report.FactNotIntercepted, cn.client.Addr())
		if j.verdict == report.SidecarDNAT {
			j.verdict = report.PodDirect
			j.add(report.FactNotInterceptedPod, cn.server)
		}
	}
	return j
}

// addressKey is everything judgeAddresses reads of a connection: of its
// client the address alone, of its payload what it looks at.
type addressKey struct {
	client        netip.Addr
	server, natTo netip.AddrPort
	proto         capture.Transport
	pairedBy      pairing
	httpReq       bool
	sni           string
	istioALPN     string // the first of the ALPN list Istio uses, as payloadFacts takes it
}

// maxJudgedAddresses bounds the judgements judgeAddressesOnce keeps.
const maxJudgedAddresses = 1 << 15

// judgeAddressesOnce is judgeAddresses, remembered for what it reads:
// the many connections of one client address to one server endpoint are
// judged alike (their evidence lists share their entries), and judging
// was the slowest part of a report. The list it returns is clipped, so
// that adding to it copies it.
func (c *classifier) judgeAddressesOnce(cn *conn) judgement {
	k := addressKey{client: cn.client.Addr(), server: cn.server, natTo: cn.natTo, proto: cn.proto, pairedBy: cn.pairedBy}
	if l7 := cn.l7; l7 != nil {
		k.httpReq, k.sni = l7.httpReq != "", l7.sni
		for _, p := range l7.alpn {
			if peek.IsIstioALPN(p) {
				k.istioALPN = p
				break
			}
		}
	}
	if j, ok := c.judgedAddresses[k]; ok {
		return j
	}
	j := c.judgeAddresses(cn)
	j.evidence = slices.Clip(j.evidence)
	if len(c.judgedAddresses) < maxJudgedAddresses {
		if c.judgedAddresses == nil {
			c.judgedAddresses = map[addressKey]judgement{}
		}
		c.judgedAddresses[k] = j
	}
	return j
}

// judgeAddresses applies the verdict rules in order: a Service address, a
// NAT the capture shows, a pod, a node, Istio's SNI, a loopback address,
// and what remains.
func (c *classifier) judgeAddresses(cn *conn) judgement {
	j := judgement{memo: &c.memo}
	proto := cn.proto
	var sni peek.IstioSNI
	var istioSNI bool
	if cn.l7 != nil && cn.l7.sni != "" {
		sni, istioSNI = peek.ParseIstioSNI(cn.l7.sni)
	}
	if c.idx != nil {
		if svc, port := c.idx.ServiceAt(cn.server.Addr(), cn.server.Port(), proto); svc != nil {
			c.judgeService(&j, cn, svc, port, istioSNI)
			return j
		}
	}
	if cn.natTo.IsValid() {
		j.verdict = report.Passthrough
		unlisted := "the inventory does not list it"
		if c.idx == nil {
			unlisted = "no inventory was given to name it"
		}
		j.add(report.FactVirtualRewritten,
			cn.server, cn.natTo, cn.server.Addr(), unlisted)
		if c.idx != nil {
			if bs := c.backends(cn.natTo, proto); len(bs) > 0 {
				j.service = bs[0].Service
				if bs[0].Port != nil {
					j.servicePort = bs[0].Port.Port
				}
			}
		}
		c.clientFacts(&j, cn, inventory.Ref{}, 0, false)
		return j
	}
	if c.idx != nil {
		switch owner := c.owner(cn.server.Addr()); owner.Kind {
		case inventory.OwnerPod:
			c.judgePod(&j, cn, owner.Pod, sni, istioSNI)
			return j
		case inventory.OwnerNode:
			j.verdict = report.Node
			j.add(report.FactNode, cn.server.Addr(), owner.Node.Name, owner.Node.From)
			return j
		}
	}
	if c.idx != nil && proto == capture.TCP && c.judgeRegistryEndpoint(&j, cn) {
		return j
	}
	if istioSNI && sni.Direction == "outbound" {
		j.verdict = report.SidecarDNAT
		if ns, name, ok := peek.ServiceOf(sni.Host); ok {
			j.service = inventory.Ref{Namespace: ns, Name: name}
		}
		j.servicePort = sni.Port
		j.add(report.FactSNIPicked, cn.l7.sni, sni.Host, sni.Port)
		if c.idx == nil {
			j.add(report.FactSNIOnly)
		} else {
			j.add(report.FactNotInInventory, cn.server.Addr())
		}
		return j
	}
	if isLoopback(cn.server.Addr()) {
		j.verdict = report.PodDirect
		j.add(report.FactLoopback, cn.server.Addr())
		return j
	}
	if c.idx == nil {
		j.verdict = report.Unknown
		j.add(report.FactNoInventory, cn.server.Addr())
		c.payloadFacts(&j, cn)
		return j
	}
	j.verdict = report.External
	j.add(report.FactNotInInventory, cn.server.Addr())
	for _, r := range c.podRanges {
		if r.Contains(cn.server.Addr()) {
			j.add(report.FactInPodRange, cn.server.Addr(), r)
		}
	}
	for _, r := range c.serviceRanges {
		if r.Contains(cn.server.Addr()) {
			j.add(report.FactInServiceRange, cn.server.Addr(), r)
		}
	}
	c.payloadFacts(&j, cn)
	return j
}

// judgeService: the client sent to a Service address.
func (c *classifier) judgeService(j *judgement, cn *conn, svc *inventory.Service, port *inventory.ServicePort, istioSNI bool) {
	j.verdict = report.Passthrough
	j.service = svc.Ref
	what := "the ClusterIP"
	if !containsAddr(svc.ClusterIPs, cn.server.Addr()) {
		what = "an external IP"
	}
	j.add(report.FactServiceAddress, cn.server.Addr(), what, svc.Ref, svc.From)
	if port != nil {
		j.servicePort = port.Port
	} else {
		j.add(report.FactNotServicePort, cn.server.Port(), inventory.Protocol(cn.proto), svc.Ref)
	}
	if cn.natTo.IsValid() {
		pod := ""
		if o := c.owner(cn.natTo.Addr()); o.Kind == inventory.OwnerPod {
			pod = " (" + o.Pod.Ref.String() + ")"
		}
		j.add(report.FactNATShown, cn.natTo, pod, cn.pairedBy.String())
	} else {
		j.add(report.FactNATNotShown)
	}
	if cn.proto == capture.UDP {
		j.add(report.FactUDPNotIntercept)
	}
	if istioSNI {
		j.add(report.FactSNIToServiceAddr, cn.l7.sni)
	}
	c.clientFacts(j, cn, svc.Ref, j.servicePort, true)
}

// judgePod: the client sent to a pod IP.
func (c *classifier) judgePod(j *judgement, cn *conn, pod *inventory.Pod, sni peek.IstioSNI, istioSNI bool) {
	proto := cn.proto
	backs := c.backends(cn.server, proto)
	clientOwner := c.owner(cn.client.Addr())
	switch {
	case clientOwner.Kind == inventory.OwnerPod && clientOwner.Pod.Sidecar == inventory.Absent:
		j.verdict = report.PodDirect
		j.add(report.FactClientNoSidecarPicked, clientOwner.Pod.Ref, clientOwner.Pod.From)
	case clientOwner.Kind == inventory.OwnerNode:
		j.verdict = report.PodDirect
		j.add(report.FactClientIsNode, cn.client.Addr(), clientOwner.Node.Name)
	case cn.proto == capture.UDP:
		j.verdict = report.PodDirect
		j.add(report.FactUDPToPod, pod.Ref)
	case len(backs) == 0:
		j.verdict = report.PodDirect
		j.add(report.FactPodBacksNoService, cn.server.Addr(), pod.Ref, pod.From, cn.server.Port(), inventory.Protocol(proto))
	default:
		j.verdict = report.SidecarDNAT
	}
	if len(backs) > 0 {
		b := backs[0]
		j.service = b.Service
		if b.Port != nil {
			j.servicePort = b.Port.Port
		}
		j.add(report.FactPodEndpoint, cn.server, pod.Ref, b.Service, viaPhrase(b.Via))
		if b.Via == inventory.ViaPodName {
			j.add(report.FactPodByName, pod.Ref, b.Service)
		}
		for _, other := range backs[1:] {
			j.add(report.FactAlsoBacks, other.Service, viaPhrase(other.Via))
		}
	}
	if istioSNI {
		j.add(report.FactSNIOriginated, cn.l7.sni)
		if ns, name, ok := peek.ServiceOf(sni.Host); ok && !j.service.IsZero() && (name != j.service.Name || (j.service.Namespace != "" && ns != j.service.Namespace)) {
			j.add(report.FactSNIOtherService, ns, name, j.service)
		}
	}
	if j.verdict == report.SidecarDNAT {
		c.headlessUnknown(j, cn, cn.server)
	}
	if j.verdict == report.SidecarDNAT {
		if clientOwner.Kind == inventory.OwnerNone {
			j.add(report.FactClientNotInInventory, cn.client.Addr())
		}
		if cn.l7 != nil && cn.l7.httpReq != "" && !istioSNI && pod.Sidecar != inventory.Absent {
			j.add(report.FactPlainHTTPToPod)
		}
		c.clientFacts(j, cn, j.service, j.servicePort, false)
	}
}

// judgeRegistryEndpoint judges a flow to an address no pod of the
// inventory has, but that a sidecar's istioctl listing has as an endpoint
// of a service: the client sent to an endpoint, as a sidecar does. It
// reports whether it did.
func (c *classifier) judgeRegistryEndpoint(j *judgement, cn *conn) bool {
	for _, b := range c.backends(cn.server, cn.proto) {
		if b.Via != inventory.ViaIstioctl {
			continue
		}
		j.verdict = report.SidecarDNAT
		j.service = b.Service
		if b.Port != nil {
			j.servicePort = b.Port.Port
		}
		j.add(report.FactRegistryEndpoint, cn.server, b.Service)
		c.clientFacts(j, cn, j.service, j.servicePort, false)
		return true
	}
	return false
}

// viaPhrase says how the inventory knows an endpoint backs a service.
func viaPhrase(v inventory.Via) string {
	switch v {
	case inventory.ViaEndpointSlice:
		return "per its EndpointSlice"
	case inventory.ViaEndpoints:
		return "per its Endpoints"
	case inventory.ViaIstioctl:
		return "per istioctl proxy-config endpoint"
	case inventory.ViaSelector:
		return "its selector matches the pod's labels"
	case inventory.ViaPodName:
		return "guessed from the pod's name"
	}
	return v.String()
}

// clientFacts adds what the inventory says about the client's sidecar and,
// when istioctl output for it was given, whether that sidecar knows the
// service. toService says the client sent to the service address.
func (c *classifier) clientFacts(j *judgement, cn *conn, svc inventory.Ref, port uint16, toService bool) {
	if c.idx == nil {
		return
	}
	owner := c.owner(cn.client.Addr())
	if owner.Kind != inventory.OwnerPod {
		return
	}
	pod := owner.Pod
	switch pod.Sidecar {
	case inventory.Absent:
		if toService {
			j.add(report.FactClientNoSidecar, pod.Ref)
		}
	case inventory.Unknown:
		if pod.Ready != "" {
			j.add(report.FactClientReadyUnknown, pod.Ref, pod.Ready)
		}
	}
	if svc.IsZero() || port == 0 {
		return
	}
	reg := c.idx.Registry(pod.Ref)
	if reg == nil {
		return
	}
	cluster, known := registryKnows(reg, svc, port)
	switch {
	case cn.proto == capture.UDP:
		// The sidecar never intercepts UDP, so what it knows changes nothing.
	case known && toService:
		j.add(report.FactSidecarKnowsYet, pod.Ref, cluster, reg.From)
	case known:
		j.add(report.FactSidecarKnows, pod.Ref, cluster, reg.From)
	case toService:
		j.add(report.FactSidecarDoesNotKnow, pod.Ref, svc, port, reg.From)
	default:
		j.add(report.FactSidecarListMisses, pod.Ref, reg.From, svc, port)
	}
}

// payloadFacts adds what the payload says when the inventory cannot.
func (c *classifier) payloadFacts(j *judgement, cn *conn) {
	if cn.l7 == nil {
		return
	}
	for _, p := range cn.l7.alpn {
		if peek.IsIstioALPN(p) {
			j.add(report.FactALPN, p)
			return
		}
	}
}

// registryKnows reports whether a sidecar's endpoint list has an outbound
// cluster for svc on port, and its name.
func registryKnows(reg *inventory.Registry, svc inventory.Ref, port uint16) (string, bool) {
	for _, cl := range reg.Clusters {
		if cl.Direction != "outbound" || cl.Port != port {
			continue
		}
		ns, name, ok := peek.ServiceOf(cl.Host)
		if ok && name == svc.Name && (svc.Namespace == "" || ns == svc.Namespace) {
			return cl.Name, true
		}
	}
	return "", false
}

func containsAddr(addrs []netip.Addr, a netip.Addr) bool {
	for _, x := range addrs {
		if x == a {
			return true
		}
	}
	return false
}

// judgeRole: Istio's own traffic in an injected pod, outside the
// application's data path by design.
func (c *classifier) judgeRole(cn *conn) judgement {
	j := judgement{memo: &c.memo, verdict: report.Istio}
	switch cn.role {
	case report.RoleControlPlane:
		j.add(report.FactRoleControlPlane, int(cn.server.Port()))
	case report.RoleHealthProbe:
		j.add(report.FactRoleHealthProbe, int(cn.server.Port()))
	case report.RoleMetricsScrape:
		j.add(report.FactRoleMetricsScrape, int(cn.server.Port()))
	case report.RoleEnvoyAdmin:
		j.add(report.FactRoleEnvoyAdmin, cn.server)
	case report.RoleDNSCapture:
		j.add(report.FactRoleDNSCapture, cn.server)
	case report.RoleHBONE:
		j.add(report.FactRoleHBONE, int(cn.server.Port()))
	case report.RoleInbound:
		if isLoopback(cn.client.Addr()) {
			j.add(report.FactRoleInboundDelivery, cn.client.Addr())
		} else {
			j.add(report.FactRoleInbound, cn.server)
		}
	}
	if c.idx != nil {
		if svc, port := c.idx.ServiceAt(cn.server.Addr(), cn.server.Port(), cn.proto); svc != nil {
			j.service = svc.Ref
			if port != nil {
				j.servicePort = port.Port
			}
		}
	}
	return j
}

// judgeIntercepted: an application connection the capture shows the pod's
// rules redirecting to the sidecar. Its server is the address the
// application dialed; the verdict says where the sidecar sent it: the
// upstream leg when the capture holds it, else the sidecar's registry.
func (c *classifier) judgeIntercepted(cn *conn) judgement {
	j := judgement{memo: &c.memo}
	if cn.legs[1] < 0 {
		// Only the leg to 15001: the original destination is not shown.
		j.verdict = report.Unknown
		j.add(report.FactRedirectOnly, cn.server)
		return j
	}
	j.add(report.FactRedirected, cn.server, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portOutboundCapture))
	orig := cn.server
	if c.idx != nil {
		if svc, port := c.idx.ServiceAt(orig.Addr(), orig.Port(), cn.proto); svc != nil {
			j.service = svc.Ref
			if port != nil {
				j.servicePort = port.Port
			}
		} else if bs := c.backends(orig, cn.proto); len(bs) > 0 {
			j.service = bs[0].Service
			if bs[0].Port != nil {
				j.servicePort = bs[0].Port.Port
			}
		}
	}
	if j.service.IsZero() && cn.upstreamL7 != nil && cn.upstreamL7.sni != "" {
		if sni, ok := peek.ParseIstioSNI(cn.upstreamL7.sni); ok {
			if ns, name, ok := peek.ServiceOf(sni.Host); ok {
				j.service, j.servicePort = inventory.Ref{Namespace: ns, Name: name}, sni.Port
			}
		}
	}
	switch {
	case cn.upstream.IsValid() && cn.upstream == orig && (c.isPod(orig) || c.idx == nil && istioMTLS(cn.upstreamL7)):
		// A pod address dialed directly (a headless service): the sidecar
		// sends the connection to it as it is, in the mesh when it knows
		// the service.
		j.verdict = report.SidecarDNAT
		if c.idx != nil && len(c.backends(orig, cn.proto)) == 0 {
			j.verdict = report.PodDirect
		}
		j.add(report.FactUpstreamToPod, orig, cn.upstream)
		if j.verdict == report.SidecarDNAT && !istioMTLS(cn.upstreamL7) {
			c.headlessUnknown(&j, cn, orig)
		}
	case cn.pooled.picks > 0 && cn.pooled.passes == 0:
		j.verdict = report.SidecarDNAT
		j.add(report.FactPooledPicks, j.service, cn.pooled.picks)
	case cn.pooled.passes > 0 && cn.pooled.picks == 0:
		j.verdict = report.Passthrough
		j.add(report.FactPooledPasses, orig, cn.pooled.passes)
	case cn.upstream.IsValid() && cn.upstream == orig:
		j.verdict = report.Passthrough
		j.add(report.FactUpstreamPassthrough, orig, cn.client.Addr())
	case cn.upstream.IsValid():
		j.verdict = report.SidecarDNAT
		j.add(report.FactUpstreamDNAT, cn.upstream, cn.client.Addr())
	default:
		c.interceptedByRegistry(&j, cn)
	}
	return j
}

// isPod reports whether the inventory places a pod at addr's address.
func (c *classifier) isPod(addr netip.AddrPort) bool {
	return c.idx != nil && c.owner(addr.Addr()).Kind == inventory.OwnerPod
}

// interceptedByRegistry judges an intercepted connection whose upstream
// leg the capture does not hold, from the client's sidecar registry.
func (c *classifier) interceptedByRegistry(j *judgement, cn *conn) {
	j.verdict = report.Unknown
	if c.idx == nil || j.service.IsZero() || j.servicePort == 0 {
		j.add(report.FactInterceptedNoUpstream)
		return
	}
	owner := c.owner(cn.client.Addr())
	var reg *inventory.Registry
	if owner.Kind == inventory.OwnerPod {
		reg = c.idx.Registry(owner.Pod.Ref)
	}
	if reg == nil {
		j.add(report.FactInterceptedNoUpstream)
		return
	}
	if cluster, known := registryKnows(reg, j.service, j.servicePort); known {
		j.verdict = report.SidecarDNAT
		j.add(report.FactInterceptedKnows, owner.Pod.Ref, cluster, reg.From)
		return
	}
	j.verdict = report.Passthrough
	j.add(report.FactInterceptedMisses, owner.Pod.Ref, j.service, j.servicePort, reg.From)
}

// istioMTLS reports whether a ClientHello was Istio's mTLS: its SNI or
// ALPN.
func istioMTLS(l7 *l7Info) bool {
	if l7 == nil {
		return false
	}
	if _, ok := peek.ParseIstioSNI(l7.sni); ok {
		return true
	}
	for _, p := range l7.alpn {
		if peek.IsIstioALPN(p) {
			return true
		}
	}
	return false
}

// headlessUnknown makes passthrough a connection to a pod that backs only
// headless services when the client's sidecar registry is given and lacks
// them: the application dialed the pod itself, and a sidecar that does not
// know the service passes the connection through to it, outside the mesh.
func (c *classifier) headlessUnknown(j *judgement, cn *conn, pod netip.AddrPort) {
	if c.idx == nil {
		return
	}
	backs := c.backends(pod, cn.proto)
	if len(backs) == 0 {
		return
	}
	for _, b := range backs {
		if svc := c.idx.Service(b.Service); svc == nil || !svc.Headless {
			return
		}
	}
	owner := c.owner(cn.client.Addr())
	if owner.Kind != inventory.OwnerPod {
		return
	}
	reg := c.idx.Registry(owner.Pod.Ref)
	if reg == nil {
		return
	}
	for _, b := range backs {
		port := uint16(0)
		if b.Port != nil {
			port = b.Port.Port
		}
		if _, known := registryKnows(reg, b.Service, port); known {
			return
		}
	}
	j.verdict = report.Passthrough
	j.add(report.FactHeadlessPassthrough, pod, owner.Pod.Ref, reg.From)
}
