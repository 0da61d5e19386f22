package engine

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/peek"
)

// judgement is a connection's verdict and what it rests on.
type judgement struct {
	verdict     Verdict
	service     inventory.Ref
	servicePort uint16
	evidence    []string
	memo        *evidenceMemo
}

func (j *judgement) add(format string, args ...any) {
	j.evidence = append(j.evidence, j.memo.say("", format, args))
}

// ambiguousPrefix starts evidence that allows another reading.
const ambiguousPrefix = "ambiguous: "

func (j *judgement) ambiguous(format string, args ...any) {
	j.evidence = append(j.evidence, j.memo.say(ambiguousPrefix, format, args))
}

// evidenceMemo formats each distinct piece of evidence once. Thousands of
// flows to one service share their evidence lines; formatting them once
// saves the time and, since the flows then share the strings, the memory.
type evidenceMemo struct {
	lines map[memoKey]string
}

// memoKey is a format and its arguments, which are all comparable values
// (addresses, references, positions, numbers, strings, pointers).
type memoKey struct {
	prefix, format string
	args           [4]any
}

// maxMemoArgs is how many arguments a memoized line may have; lines with
// more are formatted every time.
const maxMemoArgs = 4

func (m *evidenceMemo) say(prefix, format string, args []any) string {
	if m == nil || len(args) > maxMemoArgs {
		return prefix + fmt.Sprintf(format, args...)
	}
	k := memoKey{prefix: prefix, format: format}
	for i, a := range args {
		switch a.(type) {
		case string, int, uint16, netip.Addr, netip.AddrPort, netip.Prefix, inventory.Ref, inventory.Position, Verdict:
			k.args[i] = a
		default:
			// Not known to be comparable: a map key could panic.
			return prefix + fmt.Sprintf(format, args...)
		}
	}
	if line, ok := m.lines[k]; ok {
		return line
	}
	line := prefix + fmt.Sprintf(format, args...)
	if m.lines == nil {
		m.lines = map[memoKey]string{}
	}
	m.lines[k] = line
	return line
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
}

type backingKey struct {
	ep    netip.AddrPort
	proto string
}

// backends is c.idx.Backends, remembered.
func (c *classifier) backends(ep netip.AddrPort, proto string) []inventory.Backing {
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

// judge applies the verdict rules in order: a Service address, a NAT the
// capture shows, a pod, a node, Istio's SNI, and what remains.
func (c *classifier) judge(cn *conn) judgement {
	j := judgement{memo: &c.memo}
	proto := protoName(cn.proto)
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
		j.verdict = Passthrough
		unlisted := "the inventory does not list it"
		if c.idx == nil {
			unlisted = "no inventory was given to name it"
		}
		j.add("the capture shows the destination %s rewritten to %s on the way (kube-proxy's DNAT): %s is a virtual address; %s",
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
		switch owner := c.idx.Owner(cn.server.Addr()); owner.Kind {
		case inventory.OwnerPod:
			c.judgePod(&j, cn, owner.Pod, sni, istioSNI)
			return j
		case inventory.OwnerNode:
			j.verdict = Node
			j.add("%s is node %s (%s)", cn.server.Addr(), owner.Node.Name, owner.Node.From)
			return j
		}
	}
	if istioSNI && sni.Direction == "outbound" {
		j.verdict = SidecarDNAT
		if ns, name, ok := peek.ServiceOf(sni.Host); ok {
			j.service = inventory.Ref{Namespace: ns, Name: name}
		}
		j.servicePort = sni.Port
		j.add("the TLS ClientHello carries Istio's mTLS SNI %q, naming %s port %d: a sidecar picked this endpoint", cn.l7.sni, sni.Host, sni.Port)
		if c.idx == nil {
			j.add("no inventory was given; the service is read from the SNI alone")
		} else {
			j.add("%s is not in the inventory", cn.server.Addr())
		}
		return j
	}
	if c.idx == nil {
		j.verdict = Unknown
		j.add("no inventory: cannot tell whether %s is a pod, a ClusterIP or outside the cluster (give --inventory with kubectl get pods,svc -o wide and istioctl proxy-config endpoint output)", cn.server.Addr())
		c.payloadFacts(&j, cn)
		return j
	}
	j.verdict = External
	j.add("%s is not in the inventory", cn.server.Addr())
	for _, r := range c.podRanges {
		if r.Contains(cn.server.Addr()) {
			j.ambiguous("%s is inside %s, where the inventory's pods are: it may be a pod the inventory does not list", cn.server.Addr(), r)
		}
	}
	for _, r := range c.serviceRanges {
		if r.Contains(cn.server.Addr()) {
			j.ambiguous("%s is inside %s, where the inventory's ClusterIPs are: it may be a service the inventory does not list", cn.server.Addr(), r)
		}
	}
	c.payloadFacts(&j, cn)
	return j
}

// judgeService: the client sent to a Service address.
func (c *classifier) judgeService(j *judgement, cn *conn, svc *inventory.Service, port *inventory.ServicePort, istioSNI bool) {
	j.verdict = Passthrough
	j.service = svc.Ref
	what := "the ClusterIP"
	if !containsAddr(svc.ClusterIPs, cn.server.Addr()) {
		what = "an external IP"
	}
	j.add("%s is %s of service %s (%s)", cn.server.Addr(), what, svc.Ref, svc.From)
	if port != nil {
		j.servicePort = port.Port
	} else {
		j.ambiguous("port %d/%s is not a port of %s in the inventory", cn.server.Port(), protoName(cn.proto), svc.Ref)
	}
	if cn.natTo.IsValid() {
		pod := ""
		if o := c.idx.Owner(cn.natTo.Addr()); o.Kind == inventory.OwnerPod {
			pod = " (" + o.Pod.Ref.String() + ")"
		}
		j.add("the capture shows kube-proxy's DNAT to %s%s, paired by %s", cn.natTo, pod, cn.pairedBy.String())
	} else {
		j.add("kube-proxy picks the pod; this capture does not show which (tcpdump -i any on the node shows both legs)")
	}
	if cn.proto == capture.UDP {
		j.add("the sidecar does not intercept UDP (only DNS, when Istio's DNS capture is on)")
	}
	if istioSNI {
		j.ambiguous("the Istio mTLS SNI %q shows a sidecar handled this connection and sent it to the original destination (a DestinationRule with loadBalancer PASSTHROUGH does that): it is in the mesh, but kube-proxy picks the pod", cn.l7.sni)
	}
	c.clientFacts(j, cn, svc.Ref, j.servicePort, true)
}

// judgePod: the client sent to a pod IP.
func (c *classifier) judgePod(j *judgement, cn *conn, pod *inventory.Pod, sni peek.IstioSNI, istioSNI bool) {
	proto := protoName(cn.proto)
	backs := c.backends(cn.server, proto)
	clientOwner := c.idx.Owner(cn.client.Addr())
	switch {
	case clientOwner.Kind == inventory.OwnerPod && clientOwner.Pod.Sidecar == inventory.Absent:
		j.verdict = PodDirect
		j.add("client pod %s has no istio-proxy container (%s): no sidecar picked this endpoint", clientOwner.Pod.Ref, clientOwner.Pod.From)
	case clientOwner.Kind == inventory.OwnerNode:
		j.verdict = PodDirect
		j.add("the client %s is node %s, which has no sidecar", cn.client.Addr(), clientOwner.Node.Name)
	case len(backs) == 0:
		j.verdict = PodDirect
		j.add("%s is pod %s (%s), which backs no service on port %d/%s in the inventory", cn.server.Addr(), pod.Ref, pod.From, cn.server.Port(), proto)
	default:
		j.verdict = SidecarDNAT
	}
	if len(backs) > 0 {
		b := backs[0]
		j.service = b.Service
		if b.Port != nil {
			j.servicePort = b.Port.Port
		}
		j.add("%s is pod %s, an endpoint of service %s (%s)", cn.server, pod.Ref, b.Service, viaPhrase(b.Via))
		if b.Via == inventory.ViaPodName {
			j.ambiguous("that %s backs %s is inferred from its name and the service's selector: the inventory lists neither endpoints nor labels (add kubectl get endpointslices -o yaml, or istioctl proxy-config endpoint output)", pod.Ref, b.Service)
		}
		for _, other := range backs[1:] {
			j.add("it also backs %s (%s)", other.Service, viaPhrase(other.Via))
		}
	}
	if istioSNI {
		j.add("the TLS ClientHello carries Istio's mTLS SNI %q: a sidecar originated this connection", cn.l7.sni)
		if ns, name, ok := peek.ServiceOf(sni.Host); ok && !j.service.IsZero() && (name != j.service.Name || (j.service.Namespace != "" && ns != j.service.Namespace)) {
			j.ambiguous("the SNI names %s/%s but the inventory says %s", ns, name, j.service)
		}
	}
	if j.verdict == SidecarDNAT {
		if clientOwner.Kind == inventory.OwnerNone {
			j.add("the client %s is not in the inventory", cn.client.Addr())
		}
		if cn.l7 != nil && cn.l7.httpReq != "" && !istioSNI && pod.Sidecar != inventory.Absent {
			j.ambiguous("plaintext HTTP to a pod IP: a sidecar talking to a pod with a sidecar normally uses mTLS, so this may be the leg kube-proxy already translated from a ClusterIP (capture on the client's veth to see the address it sent to)")
		}
		c.clientFacts(j, cn, j.service, j.servicePort, false)
	}
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
	owner := c.idx.Owner(cn.client.Addr())
	if owner.Kind != inventory.OwnerPod {
		return
	}
	pod := owner.Pod
	switch pod.Sidecar {
	case inventory.Absent:
		if toService {
			j.add("client pod %s has no istio-proxy container: nothing could intercept the connection", pod.Ref)
		}
	case inventory.Unknown:
		if pod.Ready != "" {
			j.add("client pod %s is READY %s; the inventory does not list its containers, so whether one is istio-proxy is not known", pod.Ref, pod.Ready)
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
		j.ambiguous("the sidecar of %s knows %s (%s), yet the client sent to the ClusterIP: the port may be excluded from interception, or the endpoint list is from another time", pod.Ref, cluster, reg.From)
	case known:
		j.add("the sidecar of %s knows %s (%s)", pod.Ref, cluster, reg.From)
	case toService:
		j.add("the sidecar of %s does not know %s port %d (%s): it passes the connection through", pod.Ref, svc, port, reg.From)
	default:
		j.ambiguous("the sidecar endpoint list of %s (%s) does not have %s port %d, yet the flow went to a pod IP: the list may be from another time, or the client addressed the pod directly", pod.Ref, reg.From, svc, port)
	}
}

// payloadFacts adds what the payload says when the inventory cannot.
func (c *classifier) payloadFacts(j *judgement, cn *conn) {
	if cn.l7 == nil {
		return
	}
	for _, p := range cn.l7.alpn {
		if peek.IsIstioALPN(p) {
			j.add("the TLS ClientHello offers ALPN %q: a sidecar originated this connection", p)
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

// isAmbiguous reports whether any evidence allows another reading.
func isAmbiguous(evidence []string) bool {
	for _, e := range evidence {
		if strings.HasPrefix(e, ambiguousPrefix) {
			return true
		}
	}
	return false
}
