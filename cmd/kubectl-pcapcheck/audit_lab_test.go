package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/cluster"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/netns"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/scenario"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/truth"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// auditLabDuration is audit's --duration on the lab: a scenario's traffic
// must be over before the agents' report at the end of it (measured: a
// scenario of the two-node lab takes 2 s).
const auditLabDuration = 10 * time.Second

// auditLabNamespace starts the agents' namespace in TestAuditOnLab, one a
// scenario: a deleted namespace stays Terminating without a
// controller-manager, and audit will not reuse it.
const auditLabNamespace = "pcapcheck-lab-"

// TestAuditOnLab runs `kubectl pcapcheck audit` on the two-node lab
// against a real API server holding the lab's objects (its Nodes too),
// with one stand-in, for the kubelet (labfleet.go): audit creates deploy/'s
// objects on the API server, then runs the DaemonSet's container, as the API
// server stored it, in each node's network namespace, the agent reading its
// inventory from the API server with its ServiceAccount's token; it reads
// each agent's log as a pod's, merges, prints the cluster-wide report and
// deletes what it created. The seed's before and after scenarios play while
// the agents capture, and the oracle is the lab's ground truth (the
// sidecar's decisions, the clients' and the apps' logs; truth.CheckMerged):
// every connection once, with the nodes it crossed, kube-proxy's choice and
// the truth's verdict, and the summary's my-shell → reviews sidecar-dnat
// before the Sidecar object, passthrough after. Before the scenarios,
// `kubectl pcapcheck inventory -A --registry default/my-shell` exports the
// same API server.
func TestAuditOnLab(t *testing.T) {
	requireLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	labBin := filepath.Join(tmp, "lab")
	agentBin := filepath.Join(tmp, "pcapcheck")
	for bin, pkg := range map[string]string{labBin: "./fixtures/lab", agentBin: "./cmd/pcapcheck"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Dir = "../.."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v: %s", pkg, err, out)
		}
	}
	s := kubetest.Start(t)
	specs := scenario.Specs()[:2]
	loadLab(t, s, specs[0])
	out := filepath.Join(tmp, "run")
	lab, err := scenario.Up(ctx, scenario.Options{Out: out, Binary: labBin, Progress: io.Discard, MultiNode: true})
	require.NoError(t, err)
	t.Cleanup(func() { lab.Down() })
	require.Len(t, lab.Topo.Nodes, 2)
	var nodeNetns []string
	for _, n := range lab.Topo.Nodes {
		require.True(t, strings.HasPrefix(n.NS, netns.Prefix), n.NS)
		s.Apply(t, nodeObject(n))
		s.ApplyStatus(t, nodeObject(n))
		nodeNetns = append(nodeNetns, n.Name+"="+n.NS)
	}

	t.Run("inventory", func(t *testing.T) { inventoryOnLab(t, s, lab, filepath.Join(tmp, "inventory")) })

	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			s.Apply(t, string(istioObjects(t, spec)))
			ns := auditLabNamespace + spec.Name
			args := []string{"audit", "--kubeconfig", s.Kubeconfig, "--agent-namespace", ns,
				"--duration", auditLabDuration.String(), "--ready-timeout", "30s",
				"--" + labNetnsFlag, strings.Join(nodeNetns, ","), "--" + labAgentFlag, agentBin, "-o", "table", "-o", "json"}
			started := newMarker("agents run; capturing for")
			var stdout bytes.Buffer
			done := make(chan error, 1)
			go func() {
				root := newRootCmd(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: started})
				root.SetArgs(args)
				done <- root.ExecuteContext(ctx)
			}()
			select {
			case <-started.seen:
			case err := <-done:
				t.Fatalf("audit ended before its agents ran: %v\n%s", err, started)
			}
			begin := time.Now()
			require.NoError(t, lab.Run(ctx, spec))
			took := time.Since(begin)
			require.NoError(t, <-done, started.String())
			require.Less(t, took, auditLabDuration, "the scenario must be over before the agents' report at --duration")

			table, doc, ok := strings.Cut(stdout.String(), "\n\n{")
			require.True(t, ok, "a table, then the JSON document:\n%s", stdout.String())
			t.Logf("kubectl pcapcheck audit %s (the scenario took %s)\n%s%s", strings.Join(args[3:], " "), took.Round(100*time.Millisecond), started, table)
			var merged report.Report
			require.NoError(t, json.Unmarshal([]byte("{"+doc), &merged))
			sc, err := truth.LoadScenario(filepath.Join(out, spec.Name))
			require.NoError(t, err)
			rows := sc.CheckMerged(spec.Name+"/audit", &merged)
			for _, r := range rows {
				switch {
				case r.OK():
				case headlessWithoutRegistry(r):
					t.Logf("what an agent cannot tell without the sidecar's registry (its expected path flags it):\n%s", r)
				default:
					t.Errorf("audit's merged report disagrees with the ground truth:\n%s", r)
				}
			}
			assert.Len(t, merged.Flows, len(sc.Conns()), "one flow a connection")
			assert.Equal(t, []string{"kind-worker", "kind-worker2"}, merged.Nodes)
			want := map[string]report.Verdict{"before": report.SidecarDNAT, "after": report.Passthrough}[spec.Name]
			var verdicts []report.Verdict
			for _, row := range merged.Summary {
				if row.Client.String() == scenario.ClientPod && row.Destination.String() == "bookinfo/reviews" {
					verdicts = append(verdicts, row.Verdict)
				}
			}
			assert.Equal(t, []report.Verdict{want}, verdicts, "the summary's default/my-shell → bookinfo/reviews")
			for _, line := range []string{"created daemonset " + ns + "/pcapcheck-agent", "lab: started pcapcheck agent --interval=" + auditLabDuration.String() + " on node kind-worker2",
				"lab: stopped the agent on node kind-worker", "deleted namespace " + ns} {
				assert.Contains(t, started.String(), line)
			}
			assertAuditGone(t, s, ns)
		})
	}
}

// headlessWithoutRegistry reports whether r is the one disagreement an
// agent is known to have: my-shell dials a pod of a headless service
// (mongodb) itself and, after the Sidecar object, the sidecar passes it
// through. On the wire that is the sidecar's pick of the same pod; only the
// sidecar's registry, which `pcapcheck analyze` takes from istioctl and an
// agent does not have, tells them apart (the engine's headlessUnknown).
// The flow must say so: sidecar-dnat on ambiguous evidence, and the path
// the Sidecar object predicts, passthrough, beside it.
func headlessWithoutRegistry(r truth.Row) bool {
	headless := false
	for _, svc := range cluster.Bookinfo().Services {
		headless = headless || svc.Ref() == r.Flow.Service.String() && svc.Headless()
	}
	return r.Kind == truth.KindUpstream && headless && len(r.Problems) == 1 &&
		r.Problems[0] == "verdict sidecar-dnat, want passthrough" &&
		r.Flow.Ambiguous() && r.Flow.Expected.String() == "passthrough"
}

// nodeObject is the Node of a lab node as a kind cluster has it: its
// fabric address as InternalIP, its pods' /24 as podCIDR.
func nodeObject(n *netns.NodeNet) string {
	var cidrs []string
	for _, g := range n.Gateways {
		cidrs = append(cidrs, g.Masked().String())
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Node
metadata: {name: %s, labels: {kubernetes.io/hostname: %[1]s, kubernetes.io/os: linux}}
spec: {podCIDR: %s, podCIDRs: [%s]}
status:
  addresses: [{type: InternalIP, address: %s}, {type: Hostname, address: %[1]s}]
`, n.Name, cidrs[0], strings.Join(cidrs, ", "), n.Addr.Addr())
}

// inventoryOnLab runs `kubectl pcapcheck inventory -A --registry
// default/my-shell` against the lab's API server, my-shell's registry read
// from its running sidecar (the lab's stand-in for the port-forward), and
// checks what the bundle holds.
func inventoryOnLab(t *testing.T, s *kubetest.Server, lab *scenario.Lab, dir string) {
	require.NoError(t, os.MkdirAll(dir, 0o755))
	_, err := lab.StartSidecar(dir, scenario.Specs()[0])
	require.NoError(t, err)
	defer lab.StopSidecar()
	file := filepath.Join(dir, "inventory.json")
	args := []string{"inventory", "-A", "--registry", "default/my-shell", "-o", file}
	code, stdout, stderr := plugin(t, append(args, "--kubeconfig", s.Kubeconfig, "--"+labNetnsFlag, lab.Topo.PodNet(scenario.ClientPod).NS)...)
	require.Equal(t, exitOK, code, stderr)
	bundle, err := os.ReadFile(file)
	require.NoError(t, err)
	var list struct {
		Items []struct {
			Kind     string
			Metadata struct{ Namespace, Name string }
		}
	}
	require.NoError(t, json.Unmarshal(bundle, &list))
	kinds := map[string]int{}
	for _, it := range list.Items {
		kinds[it.Kind]++
	}
	var summary []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		summary = append(summary, fmt.Sprintf("%d %s", kinds[k], k))
	}
	t.Logf("kubectl pcapcheck %s\n%s%s(%d bytes: %s)", strings.Join(args, " "), stdout, stderr, len(bundle), strings.Join(summary, ", "))
	assert.Equal(t, 2, kinds["Node"], "kind-worker and kind-worker2")
	assert.Equal(t, 1, kinds["SidecarRegistry"], "my-shell's")
	assert.Equal(t, 1, kinds["ConfigMap"], "istio-system/istio")
	assert.Empty(t, stderr, "no warning: every kind is there and may be listed")
}

// assertAuditGone checks that no object audit created in namespace ns is
// left on s.
func assertAuditGone(t *testing.T, s *kubetest.Server, ns string) {
	t.Helper()
	c := realClients(t, s.Kubeconfig)
	ctx := context.Background()
	for _, k := range []string{"ClusterRole", "ClusterRoleBinding"} {
		_, err := c.dyn.Resource(kinds[k].gvr).Get(ctx, "pcapcheck-agent", metav1.GetOptions{})
		assert.True(t, isNotFound(err), "%s left behind: %v", k, err)
	}
	for _, k := range []string{"ServiceAccount", "DaemonSet"} {
		_, err := c.dyn.Resource(kinds[k].gvr).Namespace(ns).Get(ctx, "pcapcheck-agent", metav1.GetOptions{})
		assert.True(t, isNotFound(err), "%s left behind: %v", k, err)
	}
	// Without a controller-manager a deleted namespace stays Terminating:
	// deleted, not yet gone.
	n, err := c.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err == nil {
		assert.NotNil(t, n.DeletionTimestamp, "namespace %s not deleted", ns)
	}
}
