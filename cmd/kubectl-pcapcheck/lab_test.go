package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/netns"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/scenario"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// labPrefix is the lab's namespace prefix in this package's tests, apart
// from make lab's and other packages' labs ("pcl-").
const labPrefix = "pkp-"

// TestMain re-executes the test binary with the lab's prefix set, since
// package netns reads it when the binary starts.
func TestMain(m *testing.M) {
	if os.Getenv(netns.PrefixVar) == "" && os.Getuid() == 0 {
		os.Setenv(netns.PrefixVar, labPrefix)
		err := syscall.Exec(os.Args[0], os.Args, os.Environ())
		fmt.Fprintln(os.Stderr, "re-executing with", netns.PrefixVar, err)
		os.Exit(1)
	}
	kubetest.Main(m)
}

// TestCaptureOnLab plays the seed's before and after on the lab with real
// kernel traffic and runs `kubectl pcapcheck capture my-shell` with the
// lab's stand-in for the ephemeral container (tcpdump -i any in
// my-shell's network namespace), the inventory served by a real API server
// holding the lab's objects (labAPI): before, my-shell's requests to reviews
// are DNATed by its sidecar to a reviews pod (in the mesh); after the
// Sidecar object scopes it, they pass through to the ClusterIP. The
// oracle is the lab's ground truth: its sidecar decides by the same
// Sidecar object, and its istioctl listing is what the registry answers.
func TestCaptureOnLab(t *testing.T) {
	requireLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	labBin := filepath.Join(tmp, "lab")
	build := exec.Command("go", "build", "-o", labBin, "github.com/pcapcheck/pcapcheck/fixtures/lab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the lab: %v: %s", err, out)
	}
	lab, err := scenario.Up(ctx, scenario.Options{Out: filepath.Join(tmp, "run"), Binary: labBin, Progress: io.Discard})
	require.NoError(t, err)
	t.Cleanup(func() { lab.Down() })
	shell := lab.Topo.PodNet(scenario.ClientPod)
	require.True(t, strings.HasPrefix(shell.NS, netns.Prefix), shell.NS)

	for _, spec := range scenario.Specs()[:2] {
		t.Run(spec.Name, func(t *testing.T) {
			api := labAPI(t, spec)
			dir := filepath.Join(tmp, spec.Name)
			require.NoError(t, os.MkdirAll(dir, 0o755))
			_, err := lab.StartSidecar(dir, spec)
			require.NoError(t, err)
			defer lab.StopSidecar()

			started := newMarker("capturing in")
			var stdout bytes.Buffer
			done := make(chan int, 1)
			go func() {
				streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: started}
				root := newRootCmd(streams)
				root.SetArgs([]string{"capture", "default/my-shell", "--kubeconfig", api.Kubeconfig, "--duration", "4s", "--" + labNetnsFlag, shell.NS,
					"--write", filepath.Join(dir, "kept"), "-o", "json"})
				if err := root.ExecuteContext(ctx); err != nil {
					fmt.Fprintln(started, "error:", err)
					done <- 1
					return
				}
				done <- 0
			}()
			select {
			case <-started.seen:
			case <-done:
				t.Fatalf("capture ended before it started: %s", started)
			}
			require.NoError(t, lab.Client(ctx, spec.Traffic, filepath.Join(dir, "client.jsonl")))
			require.Equal(t, 0, <-done, started.String())

			want := map[string]string{"before": "sidecar-dnat", "after": "passthrough"}[spec.Name]
			checkReviews(t, stdout.Bytes(), want)
			// The kept capture and inventory replay to the same verdicts, as
			// pcapcheck analyze kept/capture.pcap --inventory kept/inventory.json.
			replay := replayKept(t, filepath.Join(dir, "kept"), "json")
			checkReviews(t, replay, want)
			t.Logf("pcapcheck analyze %s/kept/capture.pcap --inventory %[1]s/kept/inventory.json\n%s", spec.Name, replayKept(t, filepath.Join(dir, "kept"), "table"))
		})
	}
}

// checkReviews checks that every flow from my-shell to reviews got want.
func checkReviews(t *testing.T, report []byte, want string) {
	t.Helper()
	var doc struct {
		Flows []struct {
			ClientPod string `json:"client_pod"`
			Service   string
			Verdict   string
			Expected  string
		}
		Inventory struct{ Registries []string }
	}
	require.NoError(t, json.Unmarshal(report, &doc), string(report))
	n := 0
	for _, f := range doc.Flows {
		if f.ClientPod == "default/my-shell" && f.Service == "bookinfo/reviews" {
			n++
			assert.Equal(t, want, f.Verdict)
			assert.Equal(t, want, f.Expected, "what the Sidecar in the inventory predicts")
		}
	}
	assert.NotZero(t, n, "flows from my-shell to reviews")
	assert.Len(t, doc.Inventory.Registries, 1, "my-shell's registry, read from its sidecar's admin")
}

// istioObjects returns the Istio objects of a scenario as a kubectl List:
// its Sidecar (none before) and the istio ConfigMap.
func istioObjects(t *testing.T, spec scenario.Spec) []byte {
	t.Helper()
	items := []any{map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"namespace": "istio-system", "name": "istio"},
		"data":     map[string]any{"mesh": "outboundTrafficPolicy:\n  mode: ALLOW_ANY\n"},
	}}
	if spec.Sidecar != "" {
		items = append(items, map[string]any{
			"apiVersion": "networking.istio.io/v1", "kind": "Sidecar",
			"metadata": map[string]any{"namespace": "default", "name": "default"},
			"spec":     map[string]any{"egress": []any{map[string]any{"hosts": []any{"./*", "istio-system/*"}}}},
		})
	}
	data, err := json.Marshal(map[string]any{"kind": "List", "items": items})
	require.NoError(t, err)
	return data
}

// requireLab skips the test when the lab cannot run here (fails under
// PCAPCHECK_REQUIRE_TOOLS=1, but for -short).
func requireLab(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("the lab test builds network namespaces; skipped with -short")
	}
	testenv.Root(t, "the lab builds network namespaces, iptables rules and captures")
	for _, tool := range []string{"ip", "iptables", "iptables-restore", "tcpdump", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "the lab needs %s: apt-get install -y iproute2 iptables tcpdump curl", tool)
		}
	}
}

// marker is a writer that closes seen once what it was written holds a
// marker.
type marker struct {
	mu     sync.Mutex
	b      strings.Builder
	marker string
	seen   chan struct{}
	once   sync.Once
}

func newMarker(text string) *marker { return &marker{marker: text, seen: make(chan struct{})} }

func (s *marker) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if strings.Contains(s.b.String(), s.marker) {
		s.once.Do(func() { close(s.seen) })
	}
	return len(p), nil
}

func (s *marker) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// replayKept analyzes what capture --write kept, in format.
func replayKept(t *testing.T, dir, format string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, capturePcap))
	require.NoError(t, err)
	defer f.Close()
	bundle, err := os.ReadFile(filepath.Join(dir, inventoryJSON))
	require.NoError(t, err)
	z := &analyzer{}
	require.NoError(t, z.read(context.Background(), capturePcap, f))
	o := outputFlags{formats: []string{format}}
	formats, err := o.parse()
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, z.report(&out, inventoryJSON, bundle, formats, false))
	return out.Bytes()
}
