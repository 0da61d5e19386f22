package engine

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/peek"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Inside an injected pod. A capture taken in the pod's network namespace
// (kubectl debug with tcpdump -i any, or nsenter) holds its lo, where
// istio-iptables' REDIRECT shows: the application's connection to the
// address it dialed reaches the sidecar on 127.0.0.1:15001, so lo carries
// APP:p → 127.0.0.1:15001 and the replies, which conntrack un-NATs to come
// from the original destination: ORIG_DST → APP:p. The two are one
// intercepted connection (pairRedirects). The sidecar's own connection
// onward leaves eth0 from the pod's address: to an endpoint it picked, or
// to the original destination when it passes the connection through
// (linkUpstreams). Everything else an injected pod does is named by its
// ports and addresses (roleOf). The rules are istio-iptables' (sidecar
// mode): see the README's "Captures taken inside the pod".

// Istio's reserved ports.
const (
	portOutboundCapture = 15001 // the sidecar's outbound listener, where REDIRECT sends the application's TCP
	portInboundCapture  = 15006 // the sidecar's inbound listener
	portEnvoyAdmin      = 15000
	portHBONE           = 15008
	portXDS             = 15010 // istiod's plaintext xDS
	portXDSTLS          = 15012 // istiod's mTLS xDS and CA
	portAgentMetrics    = 15020 // istio-agent's merged metrics and probe rewrite
	portAgentHealth     = 15021
	portDNSCapture      = 15053
	portEnvoyMetrics    = 15090
)

// inboundSource is the address the sidecar delivers inbound connections
// from (127.0.0.6; ::6 for IPv6).
var inboundSource = [2]netip.Addr{netip.MustParseAddr("127.0.0.6"), netip.MustParseAddr("::6")}

// isLoopback reports whether a is a loopback address of the pod.
func isLoopback(a netip.Addr) bool { return a.Unmap().IsLoopback() }

// redirectEnd returns the application's socket of a flow between it and
// the sidecar's outbound listener on lo, if f is such a flow.
func redirectEnd(k flowKey) (app netip.AddrPort, side uint8, ok bool) {
	for s := uint8(sideA); s <= sideB; s++ {
		proxy, other := k.endpoint(1-s), k.endpoint(s)
		if k.proto == capture.TCP && proxy.Port() == portOutboundCapture && isLoopback(proxy.Addr()) && !isLoopback(other.Addr()) {
			return other, s, true
		}
	}
	return netip.AddrPort{}, sideNone, false
}

// pairRedirects merges each redirected flow (APP:p ↔ 127.0.0.1:15001) with
// the flow of its replies (ORIG_DST ↔ APP:p) into one intercepted
// connection whose server is the original destination. refs[:nPairs] are
// already paired; the rest are single flows. It returns the refs with the
// pairs first, and how many there are.
func (a *flowData) pairRedirects(refs []connRef, nPairs int) ([]connRef, int) {
	singles := refs[nPairs:]
	redirects := map[netip.AddrPort]int{}
	for i := range singles {
		if app, _, ok := redirectEnd(a.table.at(singles[i].legs[0]).key); ok {
			redirects[app] = i
		}
	}
	if len(redirects) == 0 {
		return refs, nPairs
	}
	used := make([]bool, len(singles))
	var merged []connRef
	for j := range singles {
		f := a.table.at(singles[j].legs[0])
		if f.key.proto != capture.TCP || f.folded != notFolded {
			continue
		}
		if _, _, ok := redirectEnd(f.key); ok {
			continue
		}
		for s := uint8(sideA); s <= sideB; s++ {
			app, orig := f.key.endpoint(s), f.key.endpoint(1-s)
			i, ok := redirects[app]
			if !ok || used[i] || isLoopback(orig.Addr()) {
				continue
			}
			red := a.table.at(singles[i].legs[0])
			_, appSide, _ := redirectEnd(red.key)
			r := connRef{first: min(f.first, red.first), legs: [2]int32{singles[j].legs[0], singles[i].legs[0]},
				clientSide: s, natSide: 1 - appSide, how: report.ByNAT, pairedBy: pairedByRedirect}
			if red.synFrom == appSide || f.synAckFrom == 1-s {
				r.how = report.BySyn
			}
			used[i], used[j] = true, true
			merged = append(merged, r)
			break
		}
	}
	out := make([]connRef, 0, len(refs)-len(merged))
	out = append(append(out, refs[:nPairs]...), merged...)
	for i := range singles {
		if !used[i] {
			out = append(out, singles[i])
		}
	}
	return out, nPairs + len(merged)
}

// inPod is what a Result knows of the pods whose lo the capture holds: the
// upstream leg linked to each intercepted connection, the legs so linked,
// and the pods' addresses.
type inPod struct {
	upstreamOf map[int]int // ref of an intercepted connection → ref of its upstream leg
	upstreams  map[int]int // ref of an upstream leg → a ref it carries
	pods       map[netip.Addr]bool
}

// upstreamSlack is how long before an application connection a sidecar's
// upstream leg may have started and still be the one it used: pooled
// connections are reused for a long time, so any overlap counts, but a
// leg that starts within this of the application's connection is
// preferred.
const upstreamSlack = int64(2e9)

// linkUpstreams finds, for each intercepted connection of refs (sorted),
// the sidecar's upstream leg: a flow from the pod's address to the original
// destination itself (the sidecar passed it through) or to an endpoint of
// its service (the sidecar picked it), overlapping it in time, the one that
// started nearest after it first.
func (a *flowData) linkUpstreams(refs []connRef, o *orienter) inPod {
	in := inPod{upstreamOf: map[int]int{}, upstreams: map[int]int{}, pods: map[netip.Addr]bool{}}
	byPod := map[netip.Addr][]int{}
	var intercepted []int
	for i := range refs {
		r := &refs[i]
		client, server, _ := a.ends(r)
		switch {
		case r.pairedBy == pairedByRedirect:
			intercepted = append(intercepted, i)
			in.pods[client.Addr()] = true
		case r.paired() || a.table.at(r.legs[0]).key.proto != capture.TCP:
		case !isLoopback(client.Addr()) && !isLoopback(server.Addr()):
			byPod[client.Addr()] = append(byPod[client.Addr()], i)
		}
	}
	for _, i := range intercepted {
		client, orig, _ := a.ends(&refs[i])
		start, end := a.span(&refs[i])
		best, bestScore := -1, int64(0)
		for _, j := range byPod[client.Addr()] {
			_, server, _ := a.ends(&refs[j])
			if server != orig && !a.carries(&refs[j], orig, o) {
				continue
			}
			ustart, uend := a.span(&refs[j])
			if ustart > end || uend+upstreamSlack < start {
				continue
			}
			// Nearest start at or after the application's connect wins;
			// a pooled leg that started before comes after those.
			score := ustart - start
			if score < -upstreamSlack/2 {
				score = upstreamSlack*1000 - score
			} else if score < 0 {
				score = -score
			}
			if best < 0 || score < bestScore {
				best, bestScore = j, score
			}
		}
		if best >= 0 {
			in.upstreamOf[i] = best
			if _, ok := in.upstreams[best]; !ok {
				in.upstreams[best] = i
			}
		}
	}
	return in
}

// span is when a connection's packets were seen, in Unix nanoseconds.
func (a *flowData) span(r *connRef) (first, last int64) {
	first = -1
	for _, li := range r.legs {
		if li < 0 {
			continue
		}
		f := a.table.at(li)
		if first < 0 || f.first < first {
			first = f.first
		}
		last = max(last, f.last)
	}
	return first, last
}

// carries reports whether the single flow of r goes to an endpoint of the
// service at orig: by the inventory, or by the service and port its Istio
// SNI names.
func (a *flowData) carries(r *connRef, orig netip.AddrPort, o *orienter) bool {
	_, server, _ := a.ends(r)
	if o.idx != nil {
		if svc, _ := o.idx.ServiceAt(orig.Addr(), orig.Port(), capture.TCP); svc != nil {
			for _, b := range o.idx.Backends(server.Addr(), server.Port(), capture.TCP) {
				if b.Service == svc.Ref {
					return true
				}
			}
		}
	}
	l7 := a.l7For(a.table.at(r.legs[0]))
	if l7 == nil || l7.sni == "" {
		return false
	}
	sni, ok := peek.ParseIstioSNI(l7.sni)
	if !ok || sni.Port != orig.Port() {
		return false
	}
	if o.idx == nil {
		return true
	}
	svc, _ := o.idx.ServiceAt(orig.Addr(), orig.Port(), capture.TCP)
	if svc == nil {
		return false
	}
	ns, name, ok := peek.ServiceOf(sni.Host)
	return ok && name == svc.Name && (svc.Namespace == "" || ns == svc.Namespace)
}

// roleOf names Istio's own traffic by its ports and addresses; zero for
// the application's. pods are the pods whose lo the capture holds: a
// connection into one of them from elsewhere is inbound. podClient says
// the client is a known pod (Prometheus scrapes 15020 from a pod; kubelet
// probes it from the node, which is no pod); toService that the server is a Service address: the
// agent dials istiod's Service, never redirected, and names it in its SNI,
// while a connection to istiod's pod that a sidecar picked (an application
// calling istiod through the mesh) is the application's.
func roleOf(cn *conn, pods map[netip.Addr]bool, podClient, toService bool) report.Role {
	sp := cn.server.Port()
	switch {
	case slices.Contains(inboundSource[:], cn.client.Addr().Unmap()):
		return report.RoleInbound
	case isLoopback(cn.server.Addr()) && sp == portEnvoyAdmin:
		return report.RoleEnvoyAdmin
	case isLoopback(cn.server.Addr()) && sp == portDNSCapture:
		return report.RoleDNSCapture
	case cn.proto != capture.TCP:
		return 0
	case (sp == portXDSTLS || sp == portXDS) && (toService || istiodSNI(cn.l7)):
		return report.RoleControlPlane
	case sp == portHBONE:
		return report.RoleHBONE
	case sp == portAgentHealth || sp == portAgentMetrics && !podClient:
		return report.RoleHealthProbe
	case sp == portAgentMetrics || sp == portEnvoyMetrics:
		return report.RoleMetricsScrape
	case pods[cn.server.Addr()] && !pods[cn.client.Addr()] && !isLoopback(cn.client.Addr()):
		return report.RoleInbound
	}
	return 0
}

// istiodSNI reports whether a ClientHello named istiod, as istio-agent's
// does ("istiod.istio-system.svc").
func istiodSNI(l7 *l7Info) bool {
	return l7 != nil && strings.HasPrefix(l7.sni, "istiod")
}
