package inventory

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// istioctl proxy-config endpoint prints one row per endpoint of every Envoy
// cluster the sidecar knows. Its header has been, by release:
//
//	ENDPOINT     CLUSTER                                  (istio/istio#8512, 2018)
//	ENDPOINT     STATUS     CLUSTER                       (istio/istio#8569, 2018)
//	ENDPOINT     STATUS     OUTLIER CHECK     CLUSTER     (current)
//
// An endpoint is "ADDRESS:PORT", with the address unbracketed even for IPv6
// (istioctl joins them with a plain colon), or "unix://PATH" for a pipe.

// parseClusterName splits an Istio cluster name, "direction|port|subset|host"
// ("outbound|9080||reviews.bookinfo.svc.cluster.local"), into c. A name of
// another form ("prometheus_stats", "agent", "sds-grpc", "BlackHoleCluster")
// is kept whole with the parts left empty.
func parseClusterName(name string) Cluster {
	c := Cluster{Name: name}
	parts := strings.Split(name, "|")
	if len(parts) != 4 {
		return c
	}
	port, err := strconv.ParseUint(parts[1], 10, 16)
	if err != nil || parts[0] == "" {
		return c
	}
	c.Direction, c.Port, c.Subset, c.Host = parts[0], uint16(port), parts[2], parts[3]
	return c
}

// serviceOfHost returns the Service an Istio cluster host names:
// "reviews.bookinfo.svc.cluster.local" is bookinfo/reviews, whatever the
// cluster domain. ok is false for hosts outside the cluster
// ("httpbin.org", ServiceEntry hosts).
func serviceOfHost(host string) (Ref, bool) {
	parts := strings.SplitN(host, ".", 4)
	if len(parts) < 3 || parts[2] != "svc" || parts[0] == "" || parts[1] == "" {
		return Ref{}, false
	}
	return Ref{Namespace: parts[1], Name: parts[0]}, true
}

// parseEndpointAddr reads an istioctl ENDPOINT. ok is false, with no error,
// for endpoints that are not IP:port: "unix://./etc/istio/proxy/XDS",
// "envoy://connect_originate/...".
func parseEndpointAddr(s string) (ap netip.AddrPort, ok bool, err error) {
	if strings.Contains(s, "://") {
		return netip.AddrPort{}, false, nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.AddrPortFrom(plain(ap.Addr()), ap.Port()), true, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, false, strconv.ErrSyntax
	}
	addr, aerr := netip.ParseAddr(strings.Trim(s[:i], "[]"))
	port, perr := strconv.ParseUint(s[i+1:], 10, 16)
	if aerr != nil || perr != nil {
		return netip.AddrPort{}, false, strconv.ErrSyntax
	}
	return netip.AddrPortFrom(plain(addr), uint16(port)), true, nil
}

// istioctlEndpoint reads one row of an istioctl endpoint table into the
// table's registry.
func (r row) istioctlEndpoint() *source.Error {
	ep, _ := r.get("ENDPOINT")
	name, _ := r.get("CLUSTER")
	if name.text == "" {
		return r.fail("CLUSTER", ErrSyntax, "expected a cluster name under CLUSTER, found nothing")
	}
	ap, ok, err := parseEndpointAddr(ep.text)
	if err != nil {
		return r.fail("ENDPOINT", ErrInvalid, "expected IP:port or unix://path under ENDPOINT, found %s", quote(ep.text))
	}
	c := r.t.cluster(name.text)
	if ok {
		c.Endpoints = append(c.Endpoints, ClusterEndpoint{Addr: ap, Status: r.value("STATUS"), Line: r.line})
	}
	return nil
}

// cluster returns the registry's cluster of that name, adding it when new.
func (t *table) cluster(name string) *Cluster {
	return registryCluster(t.registry, t.clusters, name)
}

func registryCluster(reg *Registry, byName map[string]int, name string) *Cluster {
	i, ok := byName[name]
	if !ok {
		i = len(reg.Clusters)
		byName[name] = i
		reg.Clusters = append(reg.Clusters, parseClusterName(name))
	}
	return &reg.Clusters[i]
}
