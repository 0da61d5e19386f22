package inventory

import (
	"net/netip"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// istioctl proxy-config endpoint -o json prints the Envoy admin ClusterStatus
// objects it read from /clusters?format=json, as a list:
//
//	[{"name": "outbound|9080||reviews.default.svc.cluster.local",
//	  "addedViaApi": true,
//	  "hostStatuses": [{"address": {"socketAddress": {"address": "172.17.0.24", "portValue": 9080}},
//	                    "healthStatus": {"edsHealthStatus": "HEALTHY"}}]}]
//
// Envoy's own output wraps the list as {"cluster_statuses": [...]} and, in
// some versions, spells fields in snake_case; both are read. A pipe address
// ({"pipe": {"path": ...}}) or an Envoy internal address has no IP and is
// left out of the endpoints.

// clusterStatuses reads a list of ClusterStatus objects into a new registry.
// The registry names no proxy: JSON output does not say which pod it came
// from.
func (p *objParser) clusterStatuses(list, root *yaml.Node) *source.Error {
	items, err := p.List(list, "cluster_statuses")
	if err != nil {
		return err
	}
	p.found, p.istioctl = true, true
	reg := &Registry{From: p.position(root)}
	byName := map[string]int{}
	for i, cn := range items {
		w := source.Indexed("clusters", i)
		p.Near = source.Resolve(cn)
		if err := p.Mapping(cn, w); err != nil {
			return err
		}
		name, err := p.Str(source.Field(cn, "name"), w+".name")
		if err != nil {
			return err
		}
		if name == "" {
			return p.Fail(source.Resolve(cn), ErrInvalid, "expected %s.name, the cluster's name", w)
		}
		c := registryCluster(reg, byName, name)
		hosts, err := p.List(source.FieldOf(cn, "hostStatuses", "host_statuses"), w+".hostStatuses")
		if err != nil {
			return err
		}
		for j, h := range hosts {
			ep, ok, err := p.hostStatus(h, source.Indexed(w+".hostStatuses", j))
			if err != nil {
				return err
			}
			if ok {
				c.Endpoints = append(c.Endpoints, ep)
			}
		}
	}
	p.b.inv.Registries = append(p.b.inv.Registries, reg)
	return nil
}

// hostStatus reads one host; ok is false for a host without an IP address.
func (p *objParser) hostStatus(h *yaml.Node, what string) (ClusterEndpoint, bool, *source.Error) {
	addr := source.Field(h, "address")
	sock := source.FieldOf(addr, "socketAddress", "socket_address")
	if source.IsNull(sock) {
		return ClusterEndpoint{}, false, nil // pipe or Envoy internal address
	}
	a, err := p.addr(source.Field(sock, "address"), what+".address.socketAddress.address")
	if err != nil {
		return ClusterEndpoint{}, false, err
	}
	port, err := p.Port(source.FieldOf(sock, "portValue", "port_value"), what+".address.socketAddress.portValue")
	if err != nil {
		return ClusterEndpoint{}, false, err
	}
	health := source.FieldOf(h, "healthStatus", "health_status")
	status, err := p.Str(source.FieldOf(health, "edsHealthStatus", "eds_health_status"), what+".healthStatus.edsHealthStatus")
	if err != nil {
		return ClusterEndpoint{}, false, err
	}
	if status == "" {
		status = "UNKNOWN" // the enum's zero value, which protobuf JSON leaves out
	}
	return ClusterEndpoint{Addr: netip.AddrPortFrom(a, port), Status: status, Line: source.Resolve(h).Line}, true, nil
}
