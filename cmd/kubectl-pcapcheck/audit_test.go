package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/pcapcheck/pcapcheck/deploy"
	"github.com/pcapcheck/pcapcheck/internal/istio"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// nodeReport writes the report of a lab capture as an agent on node logs
// it: one JSON line.
func nodeReport(t *testing.T, dir, capture, node string) {
	t.Helper()
	bundle := labObjects(t)
	f, err := os.Open(capture)
	require.NoError(t, err)
	defer f.Close()
	z := &analyzer{}
	require.NoError(t, z.read(context.Background(), filepath.Base(capture), f))
	inv, _, err := istio.ReadBundle("inventory.json", bundle)
	require.NoError(t, err)
	z.a.SetInventory(inv, nil)
	res := z.a.Result()
	rep := res.Report()
	rep.Node = node
	r, err := render.New(render.JSON)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, r.Analysis(&b, rep, res.Flows()))
	line := strings.Join(strings.Fields(b.String()), " ") // the agent logs one line
	require.NoError(t, os.WriteFile(filepath.Join(dir, node+".log"), []byte("agent starting\n"+line+"\n"), 0o644))
}

// TestAuditCleansUp runs audit with the stand-in for running agents (two
// nodes' reports from the lab's captures) and checks that it applied
// deploy/'s objects into the agents' namespace, printed the merged report,
// and deleted every object it applied.
func TestAuditCleansUp(t *testing.T) {
	reports := t.TempDir()
	nodeReport(t, reports, filepath.Join(labRun, "before", "any.pcap"), "kind-worker")
	nodeReport(t, reports, filepath.Join(labRun, "after", "any.pcap"), "kind-worker2")
	c := fakeClients(t)
	var stdout, stderr bytes.Buffer
	root := newRootCmdWith(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, c)
	root.SetArgs([]string{"audit", "--agent-namespace", "pcapcheck-audit", "--lab-reports-instead-of-agents", reports, "-o", "table"})
	require.NoError(t, root.ExecuteContext(context.Background()), stderr.String())
	for _, want := range []string{"created namespace pcapcheck-audit", "created daemonset pcapcheck-audit/" + deploy.DaemonSet,
		"created clusterrolebinding " + deploy.ClusterRoleBinding, "deleted daemonset pcapcheck-audit/" + deploy.DaemonSet,
		"deleted namespace pcapcheck-audit", "2 nodes"} {
		assert.Contains(t, stderr.String(), want)
	}
	assert.Contains(t, stdout.String(), "kind-worker2")
	for _, gvr := range []schema.GroupVersionResource{kinds["Namespace"].gvr, kinds["ClusterRole"].gvr, kinds["ClusterRoleBinding"].gvr} {
		l, err := c.dyn.Resource(gvr).List(context.Background(), metav1.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "%s left behind", gvr.Resource)
	}
	for _, k := range []string{"ServiceAccount", "DaemonSet"} {
		l, err := c.dyn.Resource(kinds[k].gvr).Namespace("pcapcheck-audit").List(context.Background(), metav1.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "%s left behind", k)
	}
}

// TestAuditCleansUpOnFailureAndCtrlC checks the deferred cleanup when the
// agents never get ready (no kubelet runs them) and when the command's
// context is cancelled while it waits, as Ctrl-C does.
func TestAuditCleansUpOnFailureAndCtrlC(t *testing.T) {
	tests := []struct {
		name    string
		cancel  time.Duration
		wantErr string
	}{
		{"agents never ready", 0, "0 of 0 agents ready after 1s: look at kubectl -n pcapcheck describe daemonset pcapcheck-agent"},
		{"ctrl-c", 300 * time.Millisecond, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeClients(t)
			var stdout, stderr bytes.Buffer
			root := newRootCmdWith(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, c)
			root.SetArgs([]string{"audit", "--ready-timeout", "1s"})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
				root.SetArgs([]string{"audit", "--ready-timeout", "1m"})
			}
			err := root.ExecuteContext(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, stderr.String(), "deleted namespace pcapcheck")
			l, err := c.dyn.Resource(kinds["DaemonSet"].gvr).Namespace("pcapcheck").List(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			assert.Empty(t, l.Items)
		})
	}
}
