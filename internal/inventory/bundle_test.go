package inventory

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSidecarRegistry reads the SidecarRegistry items of an inventory
// bundle. The clusters are Envoy's /clusters?format=json response, laid
// out as istioctl's testdata clusters.json holds it (snake_case fields).
func TestSidecarRegistry(t *testing.T) {
	const envoy = `{"cluster_statuses":[{"name":"outbound|9080||reviews.bookinfo.svc.cluster.local","added_via_api":true,
	  "host_statuses":[{"address":{"socket_address":{"address":"10.244.2.31","port_value":9080}},"health_status":{"eds_health_status":"HEALTHY"}}]},
	  {"name":"agent","host_statuses":[{"address":{"pipe":{"path":"./etc/istio/proxy/XDS"}}}]}]}`
	tests := []struct {
		name      string
		in        string
		wantProxy Ref
		wantEnds  []netip.AddrPort
		wantErr   string
	}{
		{"in a List", `{"kind":"List","items":[{"apiVersion":"pcapcheck.dev/v1","kind":"SidecarRegistry","metadata":{"namespace":"default","name":"my-shell"},"clusters":` + envoy + `}]}`,
			Ref{"default", "my-shell"}, []netip.AddrPort{netip.MustParseAddrPort("10.244.2.31:9080")}, ""},
		{"alone, camelCase fields", `{"kind":"SidecarRegistry","metadata":{"name":"my-shell"},"clusters":{"clusterStatuses":[{"name":"outbound|80||a.b.svc.cluster.local","hostStatuses":[{"address":{"socketAddress":{"address":"10.0.0.1","portValue":80}}}]}]}}`,
			Ref{"", "my-shell"}, []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:80")}, ""},
		{"no cluster: Envoy leaves the list out", `{"kind":"SidecarRegistry","metadata":{"name":"b"},"clusters":{}}`,
			Ref{"", "b"}, nil, ""},
		{"clusters missing", `{"kind":"SidecarRegistry","metadata":{"namespace":"a","name":"b"}}`,
			Ref{}, nil, "reg.json:1:1: expected clusters in the SidecarRegistry a/b"},
		{"clusters a list", `{"kind":"SidecarRegistry","metadata":{"namespace":"a","name":"b"},"clusters":[]}`,
			Ref{}, nil, "expected a mapping for clusters"},
		{"no name", `{"kind":"SidecarRegistry","metadata":{"namespace":"a"},"clusters":{}}`,
			Ref{}, nil, "expected metadata.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Parse("reg.json", []byte(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, inv.Registries, 1)
			reg := inv.Registries[0]
			assert.Equal(t, tt.wantProxy, reg.Proxy)
			var ends []netip.AddrPort
			for _, c := range reg.Clusters {
				for _, e := range c.Endpoints {
					ends = append(ends, e.Addr)
				}
			}
			assert.Equal(t, tt.wantEnds, ends)
			assert.Equal(t, KindKubernetesJSON, inv.Files[0].Kind)
			assert.Same(t, reg, inv.Index().Registry(Ref{"default", tt.wantProxy.Name}), "the index finds it by its pod")
		})
	}
}
