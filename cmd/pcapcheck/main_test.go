package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// bookinfo is where the seed's fixtures live, relative to this package.
const bookinfo = "../../fixtures/bookinfo"

// runIn runs a command line in dir and returns its exit code and output.
func runIn(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// The inventories of the seed's before and after sides.
var (
	beforeInv = []string{"--inventory", "inventory", "--inventory", "before/shell3-istioctl.txt"}
	afterInv  = []string{"--inventory", "inventory", "--inventory", "after/shell5-istioctl.txt"}
	sideInv   = []string{"--inventory", "inventory", "--before-inventory", "before/shell3-istioctl.txt", "--after-inventory", "after/shell5-istioctl.txt"}
)

// TestGolden pins what the CLI prints for the seed's scenario, in every
// format. The golden files are fixtures/bookinfo/golden/*; regenerate them
// with go test ./cmd/pcapcheck -update and review the diff like code.
func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"compare-veth.txt", append([]string{"compare", "before/veth.pcap", "after/veth.pcap"}, sideInv...)},
		{"compare-veth.json", append([]string{"compare", "before/veth.pcap", "after/veth.pcap", "-o", "json"}, sideInv...)},
		{"compare-veth.md", append([]string{"compare", "before/veth.pcap", "after/veth.pcap", "-o", "markdown"}, sideInv...)},
		// The seed's comparison with the node-wide capture after, which shows
		// the pods kube-proxy chose: what make demo writes as HTML.
		// reports.TestHTMLInChromium reads compare-any.json.
		{"compare-any.json", append([]string{"compare", "before/veth.pcap", "after/any.pcap", "-o", "json"}, sideInv...)},
		{"compare-any.html", append([]string{"compare", "before/veth.pcap", "after/any.pcap", "-o", "html"}, sideInv...)},
		{"compare-any.md", append([]string{"compare", "before/veth.pcap", "after/any.pcap", "-o", "markdown"}, sideInv...)},
		{"analyze-after-any.html", append([]string{"analyze", "after/any.pcap", "-o", "html"}, afterInv...)},
		{"compare-text.txt", append([]string{"compare", "before/shell4-tcpdump.txt", "after/shell6-tcpdump.txt", "--flows"}, sideInv...)},
		{"compare-text.json", append([]string{"compare", "--before", "before/shell4-tcpdump.txt", "--after", "after/shell6-tcpdump.txt", "-o", "json"}, sideInv...)},
		{"analyze-before-veth.json", append([]string{"analyze", "before/veth.pcap", "-o", "json"}, beforeInv...)},
		{"analyze-before-pcapng.txt", append([]string{"analyze", "before/veth.pcapng", "--flows"}, beforeInv...)},
		{"analyze-after-veth.yaml", append([]string{"analyze", "after/veth.pcap", "-o", "yaml"}, afterInv...)},
		{"analyze-after-any.txt", append([]string{"analyze", "after/any.pcap", "--flows"}, afterInv...)},
		{"analyze-after-any.json", append([]string{"analyze", "after/any.pcap", "-o", "json"}, afterInv...)},
		{"analyze-after-any-no-inventory.json", []string{"analyze", "after/any.pcap", "-o", "json"}},
		// File 1 of the seed applied: the EXPECTED column and lines.
		{"analyze-after-any-sidecar.txt", append([]string{"analyze", "after/any.pcap", "--flows", "--sidecars", "sidecars/file1-default.yaml"}, afterInv...)},
		{"analyze-after-any-sidecar.md", append([]string{"analyze", "after/any.pcap", "-o", "markdown", "--flows", "--sidecars", "sidecars/file1-default.yaml"}, afterInv...)},
		{"analyze-before-no-inventory.md", []string{"analyze", "before/veth.pcap", "-o", "markdown", "--flows"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", tt.args...)
			require.Equal(t, 0, code, "stderr: %s", stderr)
			assert.Empty(t, withoutHints(stderr))
			path := filepath.Join("golden", tt.golden)
			if *update {
				require.NoError(t, os.MkdirAll("golden", 0o755))
				require.NoError(t, os.WriteFile(path, []byte(stdout), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./cmd/pcapcheck -update to create it")
			assert.Equal(t, string(want), stdout, "(-want +got) for %s", path)
		})
	}
}

// TestSeedConclusion checks the verdicts themselves, not only that output
// is stable: every flow before the Sidecar went to a reviews pod the
// sidecar picked, every flow after it went to the ClusterIP.
func TestSeedConclusion(t *testing.T) {
	for _, side := range []struct {
		name, before, after string
	}{{"pcap", "before/veth.pcap", "after/veth.pcap"}, {"seed text", "before/shell4-tcpdump.txt", "after/shell6-tcpdump.txt"}} {
		t.Run(side.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", append([]string{"compare", side.before, side.after, "-o", "json"}, sideInv...)...)
			require.Equal(t, 0, code, stderr)
			var doc struct {
				Before, After struct {
					Flows []struct{ Verdict, Server, Service string }
				}
				Changes []struct{ Client, Destination, Before, After, Meaning string }
			}
			require.NoError(t, jsonUnmarshal(stdout, &doc))
			require.NotEmpty(t, doc.Before.Flows)
			servers := map[string]bool{}
			for _, f := range doc.Before.Flows {
				if f.Server == "10.244.2.32:9080" || f.Server == "10.244.2.31:9080" || f.Server == "10.244.1.31:9080" {
					servers[f.Server] = true
				}
				assert.Equal(t, "sidecar-dnat", f.Verdict, f.Server)
				assert.Equal(t, "bookinfo/reviews", f.Service)
			}
			assert.Len(t, servers, 3, "the three reviews pods of Shell 4")
			for _, f := range doc.After.Flows {
				assert.Equal(t, "passthrough", f.Verdict)
				assert.Equal(t, "10.96.209.151:9080", f.Server)
			}
			require.Len(t, doc.Changes, 1)
			assert.Equal(t, "default/my-shell → bookinfo/reviews: sidecar-dnat → passthrough: the sidecar no longer knows bookinfo/reviews; traffic leaves the mesh and kube-proxy picks the pod", doc.Changes[0].Meaning)
		})
	}
}

func TestStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(bookinfo, "after/veth.pcap"))
	require.NoError(t, err)
	code, stdout, stderr := runIn(t, bookinfo, string(data), "analyze", "-", "--inventory", "inventory")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "passthrough")
	assert.Contains(t, stdout, "\n-   ")
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "pods.txt")
	require.NoError(t, os.WriteFile(bad, []byte("NAME   READY   STATUS    RESTARTS   AGE   IP            NODE\nweb    1/1     Running   0          1d    10.244.1.x    n1\n"), 0o644))
	cut := filepath.Join(dir, "cut.pcap")
	raw, err := os.ReadFile(filepath.Join(bookinfo, "after/veth.pcap"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cut, raw[:len(raw)-100], 0o644))
	abs, err := filepath.Abs(bookinfo)
	require.NoError(t, err)
	veth := filepath.Join(abs, "after/veth.pcap")

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // substring of the one-line error; "" for none
		stdout string // substring of the output
	}{
		{name: "no capture", args: []string{"analyze"}, code: 2, stderr: "pcapcheck: analyze needs a capture (a pcap, pcapng or tcpdump text file, or - for standard input); usage: pcapcheck analyze CAPTURE..."},
		{name: "missing file", args: []string{"analyze", "nope.pcap"}, code: 2, stderr: "pcapcheck: nope.pcap: open: no such file or directory"},
		{name: "an inventory given as a capture", args: []string{"analyze", filepath.Join(abs, "inventory/shell1-kubectl.txt")}, code: 2, stderr: "not a capture: this looks like a kubectl table; did you mean --inventory?"},
		{name: "bad inventory line", args: []string{"analyze", veth, "--inventory", bad}, code: 2, stderr: "pods.txt:2"},
		{name: "missing inventory", args: []string{"analyze", veth, "--inventory", filepath.Join(dir, "none")}, code: 2, stderr: "none"},
		{name: "unknown format", args: []string{"analyze", veth, "-o", "xml"}, code: 2, stderr: `unknown output format "xml", want one of table, json, yaml, markdown`},
		{name: "unknown flag", args: []string{"analyze", veth, "--nope"}, code: 2, stderr: "unknown flag: --nope"},
		{name: "stdin twice", args: []string{"analyze", "-", "-"}, code: 2, stderr: "can be read only once"},
		{name: "compare with one side", args: []string{"compare", veth}, code: 2, stderr: "compare needs BEFORE and AFTER"},
		{name: "compare with mixed forms", args: []string{"compare", veth, veth, "--before", veth}, code: 2, stderr: "compare needs BEFORE and AFTER"},
		{name: "unknown command", args: []string{"analyse", veth}, code: 2, stderr: "unknown command"},
		{name: "a capture cut short still reports", args: []string{"analyze", cut}, code: 0,
			stdout: "ends in the middle of a record; the 18 records before it are analyzed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, "", tt.args...)
			assert.Equal(t, tt.code, code, "stderr: %s", stderr)
			if tt.stderr != "" {
				assert.Contains(t, stderr, tt.stderr)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
				assert.True(t, strings.HasPrefix(stderr, "pcapcheck: "), stderr)
				assert.Empty(t, stdout)
			} else {
				assert.Empty(t, withoutHints(stderr))
			}
			assert.Contains(t, stdout, tt.stdout)
		})
	}
}

// TestGoldenInPod pins what the CLI prints for the lab's captures taken
// inside my-shell (tcpdump -i any, -i lo, -i eth0 in its namespace: real
// kernel traffic under Istio's generated rules): the new fields role,
// intercepted and upstream, the verdict istio, and the comparison's
// sentence. The goldens are fixtures/lab/testdata/golden/*; the flows
// themselves are held to the lab's ground truth by fixtures/lab's
// TestGroundTruth, which does not come from pcapcheck.
func TestGoldenInPod(t *testing.T) {
	const run = "../lab/testdata/run"
	side := func(s string) []string {
		return []string{"--inventory", "inventory", "--inventory", s + "/istioctl.txt"}
	}
	sides := []string{"--inventory", "inventory", "--before-inventory", "before/istioctl.txt", "--after-inventory", "after/istioctl.txt"}
	tests := []struct {
		golden string
		args   []string
	}{
		{"compare-pod-any.txt", append([]string{"compare", "before/pod-any.pcap", "after/pod-any.pcap"}, sides...)},
		{"analyze-after-pod-any.json", append([]string{"analyze", "after/pod-any.pcap", "-o", "json"}, side("after")...)},
		{"analyze-before-pod-any.txt", append([]string{"analyze", "before/pod-any.pcap", "--flows"}, side("before")...)},
		{"analyze-after-pod-lo.txt", append([]string{"analyze", "after/pod-lo.pcap"}, side("after")...)},
		{"compare-pod-any.html", append([]string{"compare", "before/pod-any.pcap", "after/pod-any.pcap", "-o", "html"}, sides...)},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, stdout, stderr := runIn(t, filepath.Join(bookinfo, run), "", tt.args...)
			require.Equal(t, 0, code, "stderr: %s", stderr)
			path := filepath.Join("..", "golden", tt.golden)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(stdout), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./cmd/pcapcheck -update to create it")
			assert.Equal(t, string(want), stdout, "(-want +got) for %s", path)
		})
	}
}
