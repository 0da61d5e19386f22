package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedCluster is the seed's inventory with the rest of the kind cluster
// (istio-system, kube-system, pod labels) that Shell 3 and Shell 5 show.
var seedCluster = []string{"--inventory", "inventory", "--inventory", "cluster"}

// TestScopeSeed: scope prints Shell 5's registry with File 1 and Shell 3's
// without, endpoint for endpoint, in istioctl's order.
func TestScopeSeed(t *testing.T) {
	shell5 := []string{
		"10.244.1.2:15010    outbound|15010||istiod.istio-system.svc.cluster.local",
		"10.244.1.2:15017    outbound|443||istiod.istio-system.svc.cluster.local",
		"10.244.2.29:8443    outbound|443||istio-egressgateway.istio-system.svc.cluster.local",
	}
	code, stdout, stderr := runIn(t, bookinfo, "", append([]string{"scope", "default/my-shell", "--sidecars", "sidecars/file1-default.yaml"}, seedCluster...)...)
	require.Equal(t, 0, code, stderr)
	for _, line := range shell5 {
		assert.Contains(t, stdout, line)
	}
	assert.Contains(t, stdout, "SIDECAR    default/default (sidecars/file1-default.yaml:1)")
	assert.Contains(t, stdout, "CLUSTERS   11")
	assert.NotContains(t, stdout, "reviews")

	code, stdout, stderr = runIn(t, bookinfo, "", append([]string{"scope", "my-shell.default"}, seedCluster...)...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "CLUSTERS   17")
	assert.Contains(t, stdout, "10.244.2.32:9080    outbound|9080||reviews.bookinfo.svc.cluster.local")
	assert.Contains(t, stdout, "SIDECAR    none")
}

func TestScopeJSON(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", append([]string{"scope", "my-shell", "-o", "json",
		"--sidecars", "sidecars/file1-default.yaml", "--mesh-config", "sidecars/file3-mesh-config.yaml"}, seedCluster...)...)
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Schema, Pod, Sidecar  string
		OutboundTrafficPolicy string `json:"outbound_traffic_policy"`
		Clusters              []struct {
			Name      string
			Endpoints []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	assert.Equal(t, "pcapcheck/scope/v1", doc.Schema)
	assert.Equal(t, "default/my-shell", doc.Pod)
	assert.Equal(t, "default/default", doc.Sidecar)
	assert.Equal(t, "REGISTRY_ONLY", doc.OutboundTrafficPolicy)
	assert.Len(t, doc.Clusters, 11)
}

func TestScopeBadInput(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown pod", []string{"scope", "nope"}, `pod "nope" is not in the inventory`},
		{"misspelled pod", []string{"scope", "my-shel"}, `pcapcheck: pod "my-shel" is not in the inventory (did you mean default/my-shell?): give it as namespace/name, or give --inventory with kubectl get pods output`},
		{"no pod", []string{"scope"}, "scope needs one pod (NAMESPACE/NAME or NAME)"},
		{"not a Sidecar file", []string{"scope", "my-shell", "--sidecars", "inventory/shell1-kubectl.txt"}, "inventory/shell1-kubectl.txt: holds no Sidecar objects or mesh config"},
		{"bad format", []string{"scope", "my-shell", "-o", "xml"}, `unknown output format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", append(tt.args, seedCluster...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		})
	}
}
