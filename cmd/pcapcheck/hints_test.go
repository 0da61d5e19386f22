package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hintInventory = `pcapcheck: hint: verdicts are unknown for 3 of 4 flows without an inventory: export the cluster's view and give it with --inventory: "kubectl get pods,svc,endpointslices -A -o wide > inv/kubectl.txt" and "istioctl proxy-config endpoint POD -n NAMESPACE > inv/istioctl.txt", then --inventory inv/` + "\n"

// TestHintsAndWarnings: a run that gives little, or a command line that is
// probably not what was meant, says so once on stderr; the report is still
// printed and the exit code is the run's.
func TestHintsAndWarnings(t *testing.T) {
	other := filepath.Join(t.TempDir(), "other-cluster.txt")
	require.NoError(t, os.WriteFile(other, []byte("$ kubectl get svc -n shop\n"+
		"NAME   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)    AGE\n"+
		"cart   ClusterIP   10.43.12.200   <none>        8080/TCP   3d\n"), 0o644))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string // substring of the report
	}{
		{name: "analyze without an inventory", args: []string{"analyze", "before/veth.pcap"}, stderr: hintInventory},
		{name: "--quiet silences the hint", args: []string{"analyze", "before/veth.pcap", "--quiet"}},
		{name: "check without an inventory", args: []string{"check", "before/veth.pcap", "--expect", "expect.yaml", "--quiet"}, code: 1},
		{name: "suggest without an inventory", args: []string{"suggest", "before/veth.pcap"},
			stderr: `pcapcheck: hint: suggest proposes Sidecars for the pods with a sidecar it knows, and without an inventory it knows none: export the cluster's view and give it with --inventory: "kubectl get pods,svc,endpointslices -A -o wide > inv/kubectl.txt" and "istioctl proxy-config endpoint POD -n NAMESPACE > inv/istioctl.txt", then --inventory inv/` + "\n"},
		{name: "an inventory no flow touches", args: []string{"analyze", "before/veth.pcap", "--inventory", other},
			stdout: "- no flow touches an address of the inventory (0 pods, 1 service): wrong interface, or an inventory of another cluster or another time?\n"},
		{name: "the same capture on both sides", args: []string{"compare", "before/veth.pcap", "before/veth.pcap", "--quiet"},
			stderr: "pcapcheck: warning: before/veth.pcap is both BEFORE and AFTER: the comparison shows no change\n"},
		{name: "sides swapped", args: append([]string{"compare", "after/veth.pcap", "before/veth.pcap"}, sideInv...),
			stderr: "pcapcheck: warning: BEFORE (from 2025-03-14 15:10:06) was captured later than AFTER (from 2025-03-14 14:57:02): are the two swapped?\n"},
		{name: "one Sidecar set for both sides of a change", args: append([]string{"compare", "before/veth.pcap", "after/veth.pcap", "--sidecars", "sidecars/file1-default.yaml"}, sideInv...),
			stderr: "pcapcheck: warning: the Sidecars of --sidecars apply to both sides, and verdicts changed between them: if the Sidecars changed too, give each side's with --before-sidecars and --after-sidecars\n"},
		{name: "a Sidecar for the after side only", args: append([]string{"compare", "before/veth.pcap", "after/veth.pcap", "--after-sidecars", "sidecars/file1-default.yaml", "-o", "json"}, sideInv...),
			stdout: `"sidecars": [`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, bookinfo, "", tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Equal(t, tt.stderr, stderr)
			assert.Contains(t, stdout, tt.stdout)
		})
	}
}

// withoutHints drops the hint lines of stderr, for tests of runs that get
// one (no inventory) and check that nothing else is said.
func withoutHints(stderr string) string {
	var out strings.Builder
	for line := range strings.Lines(stderr) {
		if !strings.HasPrefix(line, "pcapcheck: hint: ") {
			out.WriteString(line)
		}
	}
	return out.String()
}
