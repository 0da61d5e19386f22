package inventory

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// testdata/load is an inventory directory as a person leaves it: a README,
// a capture, an Istio Sidecar manifest and an empty file next to the
// listings, a dotfile and a dot-directory that must not be read (both would
// fail), the same pod saved as a table and as JSON, and a subdirectory.
func TestLoadDirectory(t *testing.T) {
	inv, err := Load("testdata/load")
	require.NoError(t, err)
	checkGolden(t, "load-directory", render(inv))

	assert.Equal(t, []File{
		{"testdata/load/pods.json", KindKubernetesJSON},
		{"testdata/load/pods.txt", KindKubectlText},
		{"testdata/load/sub/services.txt", KindKubectlText},
	}, inv.Files)
	for _, skipped := range []string{"README.md", "capture.pcap", "empty.txt", "sidecar.yaml"} {
		assert.True(t, containsSubstring(inv.Warnings, "skipped testdata/load/"+skipped+": "), "no warning for %s in %q", skipped, inv.Warnings)
	}

	// The table's pod (no namespace, no labels) and the JSON pod are one.
	x := inv.Index()
	pod := x.Pod(Ref{"bookinfo", "reviews-v3-f68f94645-bmzrn"})
	require.NotNil(t, pod)
	assert.Equal(t, "2/2", pod.Ready, "from the table")
	assert.Equal(t, "reviews", pod.Labels["app"], "from JSON")
	assert.Equal(t, Present, pod.Sidecar, "from JSON")
	assert.Equal(t, "testdata/load/pods.json", pod.From.Path, "first read")
	assert.Equal(t, 1, countPods(inv, "reviews-v3-f68f94645-bmzrn"))
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func countPods(inv *Inventory, name string) int {
	n := 0
	for _, p := range inv.Pods {
		if p.Name == name {
			n++
		}
	}
	return n
}

func TestLoadMergesTextThenJSON(t *testing.T) {
	// Text first with a namespace, JSON second: JSON's known fields win over
	// the text's unknowns, the text's Ready stays.
	inv, err := Load("testdata/pods-show-labels.txt", "testdata/pods.json")
	require.NoError(t, err)
	x := inv.Index()
	pod := x.Pod(Ref{"bookinfo", "reviews-v3-f68f94645-bmzrn"})
	require.NotNil(t, pod)
	assert.Equal(t, "f68f94645", pod.Labels["pod-template-hash"])
	assert.Equal(t, "reviews", pod.Labels["service.istio.io/canonical-name"], "JSON's labels replace the table's")
	assert.Equal(t, Present, pod.Sidecar)
	assert.Equal(t, "2/2", pod.Ready)
	assert.Len(t, pod.Ports, 2)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		is    []error
		msg   string
	}{
		{"a README named explicitly", []string{"testdata/load/README.md"}, []error{ErrUnrecognized},
			"inventory: testdata/load/README.md: no kubectl or istioctl table found: expected a header such as NAME READY STATUS or ENDPOINT STATUS CLUSTER"},
		{"a Sidecar manifest named explicitly", []string{"testdata/sidecar.yaml"}, []error{ErrUnrecognized},
			"inventory: testdata/sidecar.yaml: holds only Sidecar (1): expected pods, services, endpoints, nodes or istioctl endpoints"},
		{"a capture named explicitly", []string{"testdata/load/capture.pcap"}, []error{ErrUnrecognized},
			"inventory: testdata/load/capture.pcap: this is a packet capture (pcap), not kubectl or istioctl output: give it as an argument, not as an inventory"},
		{"a missing file", []string{"testdata/no-such-file"}, []error{ErrRead, fs.ErrNotExist},
			"inventory: testdata/no-such-file: cannot read: no such file or directory"},
		{"a bad file stops the load", []string{"testdata/pods.json", "testdata/load/.notes.txt", "testdata/nodes.json"}, []error{ErrSyntax},
			"inventory: testdata/load/.notes.txt:2:31: unexpected \"a\" between RESTARTS and AGE: the row has 7 cells but the header has 5 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Load(tt.paths...)
			require.Error(t, err)
			require.NotNil(t, inv)
			var e *source.Error
			require.ErrorAs(t, err, &e)
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			assert.Equal(t, tt.msg, err.Error())
		})
	}
}

func TestLoadStopsWithWhatWasRead(t *testing.T) {
	inv, err := Load("testdata/pods.json", "testdata/load/.notes.txt", "testdata/nodes.json")
	require.Error(t, err)
	assert.Len(t, inv.Pods, 4, "pods.json was read before the bad file")
	assert.Empty(t, inv.Nodes, "nodes.json comes after the bad file")
}
