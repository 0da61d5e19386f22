package engine

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
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
	upstreamOf map[int]int     // ref of an intercepted connection → ref of its upstream leg
	upstreams  map[int]int     // ref of an upstream leg → a ref it carries
	pooled     map[int]pooling // ref of an intercepted connection → the pooled legs that may carry it
	pods       map[netip.Addr]bool
}

// upstreamSlack is how long before an application connection a sidecar's
// upstream leg may have started and still be a fresh one for it (Envoy
// connects upstream as the application's connection arrives); a leg that
// started earlier is a pooled one, reused.
const upstreamSlack = int64(5e6)

// linkUpstreams finds, for each intercepted connection of refs (sorted),
// the sidecar's upstream leg: a flow from the pod's address, not Istio's
// own, to the original destination itself (the sidecar passed it through)
// or to an endpoint of its service (by the inventory, Istio's SNI, or the
// HTTP Host the application sent), overlapping it in time. A leg opened as
// the connection arrived wins, the nearest first. When only pooled legs
// (opened earlier) carry the service and they are several, which one
// served the connection is not in the capture: none is linked, and
// pooled says whether they pass through or pick endpoints.
func (a *flowData) linkUpstreams(refs []connRef, o *orienter) inPod {
	in := inPod{upstreamOf: map[int]int{}, upstreams: map[int]int{}, pooled: map[int]pooling{}, pods: map[netip.Addr]bool{}}
	if !slices.ContainsFunc(refs, func(r connRef) bool { return r.pairedBy == pairedByRedirect }) {
		// No capture of a pod's lo: nothing to link.
		return in
	}
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
		case !isLoopback(client.Addr()) && !isLoopback(server.Addr()) && a.ownRole(r, o) == 0:
			byPod[client.Addr()] = append(byPod[client.Addr()], i)
		}
	}
	for _, i := range intercepted {
		client, orig, _ := a.ends(&refs[i])
		start, end := a.span(&refs[i])
		host := a.requestHost(&refs[i])
		fresh, bestScore := -1, int64(0)
		var pooled []int
		for _, j := range byPod[client.Addr()] {
			_, server, _ := a.ends(&refs[j])
			passes := server == orig
			if !passes && !a.carries(&refs[j], orig, host, o) {
				continue
			}
			ustart, uend := a.span(&refs[j])
			if ustart > end || uend < start {
				continue
			}
			if ustart+upstreamSlack < start {
				pooled = append(pooled, j)
				continue
			}
			if score := ustart - start; fresh < 0 || score < bestScore {
				fresh, bestScore = j, score
			}
		}
		link := func(j int) {
			in.upstreamOf[i] = j
			if _, ok := in.upstreams[j]; !ok {
				in.upstreams[j] = i
			}
		}
		switch {
		case fresh >= 0:
			link(fresh)
		case len(pooled) == 1:
			link(pooled[0])
		case len(pooled) > 1:
			var p pooling
			for _, j := range pooled {
				if _, server, _ := a.ends(&refs[j]); server == orig {
					p.passes++
				} else {
					p.picks++
				}
				if _, ok := in.upstreams[j]; !ok {
					in.upstreams[j] = i
				}
			}
			in.pooled[i] = p
		}
	}
	return in
}

// pooling counts the pooled upstream legs that may have carried an
// intercepted connection: to its original destination, or to endpoints.
type pooling struct{ passes, picks int }

// ownRole is the role of a single flow by its ports and what its payload
// named, before anything is linked: Istio's own connections (istio-agent's
// to istiod dials the same ClusterIP an application may) are no sidecar's
// upstream legs.
func (a *flowData) ownRole(r *connRef, o *orienter) report.Role {
	client, server, natTo := a.ends(r)
	cn := conn{proto: a.table.at(r.legs[0]).key.proto, client: client, server: server, natTo: natTo, l7: a.l7For(a.table.at(r.legs[0]))}
	toService := o.idx != nil && o.idx.Owner(server.Addr()).Kind == inventory.OwnerService
	podClient := o.idx != nil && o.idx.Owner(client.Addr()).Kind == inventory.OwnerPod
	return roleOf(&cn, nil, podClient, toService)
}

// requestHost is the HTTP Host the application sent on an intercepted
// connection, if plaintext; Envoy passes it on upstream.
func (a *flowData) requestHost(r *connRef) string {
	for _, li := range r.legs {
		if li >= 0 {
			if l7 := a.l7For(a.table.at(li)); l7 != nil && l7.httpHost != "" {
				return l7.httpHost
			}
		}
	}
	return ""
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
// service at orig: by the inventory, by the service and port its Istio SNI
// names, or by the HTTP Host the application sent (host), which Envoy
// passes on.
func (a *flowData) carries(r *connRef, orig netip.AddrPort, host string, o *orienter) bool {
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
	if l7 != nil && host != "" && l7.httpHost == host {
		return true
	}
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
	case (sp == portXDSTLS || sp == portXDS) && (toService || cn.natTo.IsValid() || istiodSNI(cn.l7)):
		// istiod's Service (kube-proxy's DNAT shows it is one), or its name.
		return report.RoleControlPlane
	case sp == portHBONE:
		return report.RoleHBONE
	case sp == portAgentMetrics && cn.l7 != nil && cn.l7.httpReq != "":
		// The request says which: kubelet's rewritten probes ask
		// /app-health/... or /healthz/ready, Prometheus /stats/prometheus.
		if strings.Contains(cn.l7.httpReq, " /stats") || strings.Contains(cn.l7.httpReq, " /metrics") {
			return report.RoleMetricsScrape
		}
		return report.RoleHealthProbe
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
