package inventory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The samples under testdata/ are laid out as the real tools print them:
//
//   - kubectl tables: the column definitions of kubernetes/kubernetes
//     pkg/printers/internalversion/printers.go (pods: NAME READY STATUS
//     RESTARTS AGE, and with -o wide IP NODE NOMINATED NODE READINESS GATES;
//     services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR; nodes:
//     NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE
//     KERNEL-VERSION CONTAINER-RUNTIME; endpointslices: NAME ADDRESSTYPE
//     PORTS ENDPOINTS AGE; endpoints: NAME ENDPOINTS AGE), RESTARTS as
//     "%d (%s ago)" and lists cut as "%s + %d more..." by the same file,
//     aligned by kubectl's tabwriter (padding 3);
//   - istioctl tables: istio/istio istioctl/pkg/writer/envoy/clusters/
//     clusters.go ("ENDPOINT\tSTATUS\tOUTLIER CHECK\tCLUSTER", tabwriter
//     padding 5, pipes printed as "unix://" + path) and its older testdata
//     clustersummary.txt ("ENDPOINT STATUS CLUSTER", istio/istio#8569) and
//     the first form "ENDPOINT CLUSTER" (istio/istio#8512);
//   - istioctl -o json: the ClusterStatus list istioctl marshals (same
//     clusters.go, PrintEndpoints), and Envoy's {"cluster_statuses": ...}
//     from istioctl's testdata clusters.json, snake_case fields included;
//   - Kubernetes JSON and YAML: kubectl get -o json Lists and the
//     EndpointSlice shape of kubernetes.io/docs/reference/kubernetes-api/
//     service-resources/endpoint-slice-v1.
func TestParseGolden(t *testing.T) {
	tests := []struct {
		name string
		path string
		kind string
	}{
		{"seed shell 1 transcript", "../../fixtures/bookinfo/inventory/shell1-kubectl.txt", KindKubectlText},
		{"seed shell 3 istioctl before", "../../fixtures/bookinfo/before/shell3-istioctl.txt", KindIstioctlTable},
		{"seed shell 5 istioctl after", "../../fixtures/bookinfo/after/shell5-istioctl.txt", KindIstioctlTable},
		{"pods -A -o wide with restarts", "testdata/pods-all-namespaces.txt", KindKubectlText},
		{"pods --show-labels", "testdata/pods-show-labels.txt", KindKubectlText},
		{"services -A -o wide", "testdata/services-all-namespaces.txt", KindKubectlText},
		{"nodes -o wide", "testdata/nodes-wide.txt", KindKubectlText},
		{"endpointslices text", "testdata/endpointslices.txt", KindKubectlText},
		{"endpoints text", "testdata/endpoints.txt", KindKubectlText},
		{"transcript with prompts tabs and prose", "testdata/transcript.txt", KindTranscript},
		{"istioctl new form", "testdata/istioctl-new.txt", KindIstioctlTable},
		{"istioctl old form", "testdata/istioctl-old.txt", KindIstioctlTable},
		{"istioctl oldest form", "testdata/istioctl-oldest.txt", KindIstioctlTable},
		{"istioctl json", "testdata/istioctl.json", KindIstioctlJSON},
		{"envoy cluster statuses json", "testdata/envoy-clusters.json", KindIstioctlJSON},
		{"istioctl yaml", "testdata/istioctl.yaml", KindIstioctlYAML},
		{"pods json list", "testdata/pods.json", KindKubernetesJSON},
		{"services json list", "testdata/services.json", KindKubernetesJSON},
		{"endpointslices json list", "testdata/endpointslices.json", KindKubernetesJSON},
		{"endpoints json object", "testdata/endpoints.json", KindKubernetesJSON},
		{"nodes json typed list", "testdata/nodes.json", KindKubernetesJSON},
		{"multi-document yaml", "testdata/bookinfo.yaml", KindKubernetesYAML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(tt.path)
			require.NoError(t, err)
			inv, err := Parse(tt.path, data)
			require.NoError(t, err)
			require.Len(t, inv.Files, 1)
			assert.Equal(t, tt.kind, inv.Files[0].Kind)
			checkGolden(t, filepath.Base(tt.path), render(inv))
		})
	}
}

// A fuzz seed: JSON escapes that yaml.v3 does not read must not fail a
// valid file.
func TestParseJSONEscapes(t *testing.T) {
	inv, err := Parse("esc.json", []byte(`{"kind":"Pod","metadata":{"name":"a\/b","namespace":"\ud83d\ude00"},"status":{"podIP":"10.0.0.1"}}`))
	require.NoError(t, err)
	require.Len(t, inv.Pods, 1)
	assert.Equal(t, Ref{"😀", "a/b"}, inv.Pods[0].Ref)
}
