package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestSuggestRoundTrip is the acceptance test: suggest on the
// seed's "after" capture proposes bookinfo/reviews.bookinfo.svc.cluster.local
// for my-shell; fed back as --sidecars against the same capture, every
// flow it covers is predicted sidecar-dnat.
func TestSuggestRoundTrip(t *testing.T) {
	for _, capture := range []string{"after/any.pcap", "after/veth.pcap", "after/shell6-tcpdump.txt"} {
		t.Run(capture, func(t *testing.T) {
			code, proposal, stderr := runIn(t, bookinfo, "", "suggest", capture, "--inventory", "inventory")
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, "pcapcheck: warning: the proposal holds the default Sidecar of namespace default: applied as it is, it replaces a default Sidecar already there; merge into the existing ones with --from (kubectl get sidecars -n NAMESPACE -o yaml > existing.yaml)\n", stderr)
			var sc struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string
				Metadata   struct{ Name, Namespace string }
				Spec       struct {
					Egress []struct{ Hosts []string }
				}
			}
			require.NoError(t, yaml.Unmarshal([]byte(proposal), &sc), proposal)
			assert.Equal(t, "networking.istio.io/v1", sc.APIVersion)
			assert.Equal(t, "Sidecar", sc.Kind)
			assert.Equal(t, "default", sc.Metadata.Namespace)
			require.Len(t, sc.Spec.Egress, 1)
			assert.Equal(t, []string{"./*", "bookinfo/reviews.bookinfo.svc.cluster.local", "istio-system/*"}, sc.Spec.Egress[0].Hosts)

			path := filepath.Join(t.TempDir(), "proposal.yaml")
			require.NoError(t, os.WriteFile(path, []byte(proposal), 0o644))
			code, stdout, stderr := runIn(t, bookinfo, "", "analyze", capture, "--inventory", "inventory", "--sidecars", path, "-o", "json")
			require.Equal(t, 0, code, stderr)
			var doc struct {
				Flows []struct {
					ClientPod string `json:"client_pod"`
					Service   string
					Expected  string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
			require.NotEmpty(t, doc.Flows)
			for _, f := range doc.Flows {
				assert.Equal(t, "default/my-shell", f.ClientPod)
				assert.Equal(t, "bookinfo/reviews", f.Service)
				assert.Equal(t, "sidecar-dnat", f.Expected)
			}
		})
	}
}

// TestSuggestFrom: merged into File 1, the proposal keeps File 1's hosts
// and adds the one it lacks, saying so.
func TestSuggestFrom(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "suggest", "after/veth.pcap", "--inventory", "inventory", "--from", "sidecars/file1-default.yaml")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "# default/default (sidecars/file1-default.yaml:1) merged with the traffic of default/my-shell: adds bookinfo/reviews.bookinfo.svc.cluster.local.")
	var sc struct {
		Metadata struct{ Name, Namespace string }
		Spec     struct{ Egress []struct{ Hosts []string } }
	}
	require.NoError(t, yaml.Unmarshal([]byte(stdout), &sc))
	assert.Equal(t, []string{"./*", "istio-system/*", "bookinfo/reviews.bookinfo.svc.cluster.local"}, sc.Spec.Egress[0].Hosts)
}

// TestSuggestPerWorkload: with labels known, a Sidecar per workload with a
// workloadSelector; my-shell was started by kubectl run (run=my-shell).
func TestSuggestPerWorkload(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "suggest", "after/veth.pcap", "--inventory", "inventory", "--inventory", "cluster", "--per-workload")
	require.Equal(t, 0, code, stderr)
	var sc struct {
		Metadata struct{ Name, Namespace string }
		Spec     struct {
			WorkloadSelector struct{ Labels map[string]string } `yaml:"workloadSelector"`
		}
	}
	require.NoError(t, yaml.Unmarshal([]byte(stdout), &sc))
	assert.Equal(t, "my-shell", sc.Metadata.Name)
	assert.Equal(t, map[string]string{"run": "my-shell"}, sc.Spec.WorkloadSelector.Labels)
}
