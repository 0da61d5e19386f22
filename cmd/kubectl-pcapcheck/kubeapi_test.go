package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
	"github.com/pcapcheck/pcapcheck/fixtures/lab/scenario"
)

// The tests here run against a real kube-apiserver (package kubetest):
// its schemas, validation, admission (PodSecurity included) and RBAC are
// the oracle of what the plugin sends and of the messages it maps.

// labAPI starts an API server holding the lab's cluster as kubectl would
// see it: the lab's namespaces, its pods (status.podIP set through the
// status subresource, as a kubelet does), services and EndpointSlices,
// the istio ConfigMap and, for a scenario with one, the Sidecar.
func labAPI(t *testing.T, spec scenario.Spec) *kubetest.Server {
	t.Helper()
	s := kubetest.Start(t)
	loadLab(t, s, spec)
	return s
}

// loadLab creates the lab's cluster of labAPI on s.
func loadLab(t *testing.T, s *kubetest.Server, spec scenario.Spec) {
	t.Helper()
	s.Apply(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: bookinfo}\n")
	objects := withoutUIDs(t, labObjects(t))
	s.Apply(t, objects)
	s.ApplyStatus(t, onlyPods(t, objects))
	s.Apply(t, string(istioObjects(t, spec)))
}

// withoutUIDs drops metadata.uid from a List's items: the lab's JSON
// carries kubectl's, which an apply takes as a precondition.
func withoutUIDs(t *testing.T, list []byte) string {
	t.Helper()
	var l map[string]any
	require.NoError(t, json.Unmarshal(list, &l))
	for _, it := range l["items"].([]any) {
		delete(it.(map[string]any)["metadata"].(map[string]any), "uid")
	}
	out, err := json.Marshal(l)
	require.NoError(t, err)
	return string(out)
}

// onlyPods keeps the pods of a List, for ApplyStatus.
func onlyPods(t *testing.T, list string) string {
	t.Helper()
	var b bytes.Buffer
	c := fakeClients(t, []byte(list))
	pods, err := c.kube.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: %s, name: %s}\nstatus: {phase: Running, podIP: %s, podIPs: [{ip: %s}]}\n",
			p.Namespace, p.Name, p.Status.PodIP, p.Status.PodIP)
	}
	return b.String()
}

// realClients returns the plugin's clients for a kubeconfig.
func realClients(t *testing.T, kubeconfig string) *clients {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	require.NoError(t, err)
	return &clients{cfg: cfg, kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(cfg)}
}

// plugin runs a command line of the plugin and returns its exit code,
// stdout and stderr.
func plugin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr})
	return code, stdout.String(), stderr.String()
}

// TestInventoryAgainstAPIServer exports the lab's cluster from a real API
// server: `kubectl pcapcheck inventory -A` holds exactly the objects
// created (and the API server's own default/kubernetes Service), and the
// bundle, with my-shell's registry, analyzes the lab's committed captures
// to the same flows, verdicts and expected paths as the hand-exported
// inventory of that run.
func TestInventoryAgainstAPIServer(t *testing.T) {
	for _, spec := range scenario.Specs()[:2] {
		t.Run(spec.Name, func(t *testing.T) {
			s := labAPI(t, spec)
			out := filepath.Join(t.TempDir(), "inventory.json")
			code, _, stderr := plugin(t, "inventory", "-A", "-o", out, "--kubeconfig", s.Kubeconfig)
			require.Equal(t, 0, code, stderr)
			bundle, err := os.ReadFile(out)
			require.NoError(t, err)
			apiserver := []byte(`{"items":[{"apiVersion":"v1","kind":"Service","metadata":{"namespace":"default","name":"kubernetes"}}]}`)
			assert.Equal(t, itemNames(t, labObjects(t), istioObjects(t, spec), apiserver), itemNames(t, bundle),
				"(-want +got): the bundle holds exactly the objects created")
			assert.Contains(t, string(bundle), `"podIP": "10.244.2.34"`, "my-shell's status, set through the subresource")

			c := realClients(t, s.Kubeconfig)
			e := &exporter{kube: c.kube, dyn: c.dyn, registry: envoyRegistry{spec}, warn: t.Logf}
			b, err := e.export(context.Background(), exportOptions{istioNamespace: "istio-system", registries: []podRef{{"default", "my-shell"}}})
			require.NoError(t, err)
			hand := []string{filepath.Join(labRun, "inventory"), filepath.Join(labRun, spec.Name, "istioctl.txt")}
			var sidecars []string
			if spec.Sidecar != "" {
				sidecars = []string{filepath.Join(labRun, spec.Name, "sidecar.yaml")}
			}
			for _, capture := range []string{"pod-any.pcap", "any.pcap"} {
				path := filepath.Join(labRun, spec.Name, capture)
				want := analyzeHand(t, path, hand, sidecars)
				require.NotEmpty(t, want)
				assert.Equal(t, want, analyzeBundle(t, path, b.Bytes()), "%s (-want +got)", capture)
			}
		})
	}
}

// TestCaptureAgainstAPIServer sends capture's requests to a real API
// server: the ephemeral container is accepted into the pod's spec (no
// kubelet runs it, so the wait for it times out), and every refusal maps
// to its one line.
func TestCaptureAgainstAPIServer(t *testing.T) {
	s := kubetest.Start(t)
	restricted := "apiVersion: v1\nkind: Namespace\nmetadata: {name: locked, labels: {pod-security.kubernetes.io/enforce: restricted}}\n"
	s.Apply(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"+restricted)
	pod := func(ns, name string) string {
		return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {namespace: %s, name: %s}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/app:1
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`, ns, name)
	}
	running := func(ns, name string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {namespace: %s, name: %s}\nstatus: {phase: Running, podIP: 10.244.9.9}\n", ns, name)
	}
	s.Apply(t, pod("shop", "web-1")+"---\n"+pod("shop", "pending")+"---\n"+pod("locked", "vault"))
	s.ApplyStatus(t, running("shop", "web-1")+"---\n"+running("locked", "vault"))
	// dev may read and attach to pods in shop, but not add ephemeral
	// containers.
	s.Apply(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: shop, name: reader}
rules:
- apiGroups: [""]
  resources: [pods, pods/attach, pods/log]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {namespace: shop, name: dev-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}
`)
	dev := s.KubeconfigFor(t, "dev")

	tests := []struct {
		name       string
		kubeconfig string
		pod        string
		want       string
	}{
		{"accepted, never runs", s.Kubeconfig, "shop/web-1", "the capture container pcapcheck-"},
		{"no permission", dev, "shop/web-1",
			`not allowed to add an ephemeral container to shop/web-1: ask for "patch" on pods/ephemeralcontainers in namespace shop (kubectl auth can-i patch pods/ephemeralcontainers -n shop)`},
		{"PSA restricted", s.Kubeconfig, "locked/vault",
			`namespace locked enforces Pod Security "restricted:latest", which refuses tcpdump's NET_RAW capability: capture in a namespace at baseline or privileged (label pod-security.kubernetes.io/enforce), or on the node with pcapcheck live`},
		{"not found", s.Kubeconfig, "shop/nope", "pod nope not found in namespace shop: check the name, and give the namespace with -n"},
		{"not running", s.Kubeconfig, "shop/pending", "pod shop/pending is Pending, not Running: capture needs its network namespace, which only a running pod has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := plugin(t, "capture", tt.pod, "--duration", "1s", "--pod-running-timeout", "2s", "--kubeconfig", tt.kubeconfig)
			assert.Equal(t, exitError, code, stdout)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			assert.Contains(t, lines[len(lines)-1], tt.want)
		})
	}

	// The patch capture sent is in web-1's spec, as sent.
	var got corev1.Pod
	s.Get(t, "/api/v1/namespaces/shop/pods/web-1", &got)
	require.Len(t, got.Spec.EphemeralContainers, 1)
	ec := got.Spec.EphemeralContainers[0]
	assert.True(t, strings.HasPrefix(ec.Name, "pcapcheck-"), ec.Name)
	assert.Equal(t, defaultImage, ec.Image)
	assert.Equal(t, []string{"sh", "-c", captureScript, "1"}, ec.Command)
	assert.Equal(t, []corev1.Capability{"NET_RAW"}, ec.SecurityContext.Capabilities.Add)
	assert.True(t, ec.Stdin)
	var locked corev1.Pod
	s.Get(t, "/api/v1/namespaces/locked/pods/vault", &locked)
	assert.Empty(t, locked.Spec.EphemeralContainers, "refused by Pod Security admission")
}

// TestAuditAgainstAPIServer runs audit against a real API server: the
// manifests pass its schemas and admission, the agents never get ready (no
// kubelet), and everything audit created is deleted; with the agents'
// stand-in it prints the merged report and cleans up too.
func TestAuditAgainstAPIServer(t *testing.T) {
	s := kubetest.Start(t)
	reports := t.TempDir()
	nodeReport(t, reports, filepath.Join(labRun, "before", "any.pcap"), "kind-worker")
	nodeReport(t, reports, filepath.Join(labRun, "after", "any.pcap"), "kind-worker2")
	tests := []struct {
		name     string
		ns       string
		args     []string
		wantCode int
		want     string
	}{
		{"agents never ready", "pcapcheck", []string{"--ready-timeout", "3s"}, exitError, "0 of 0 agents ready after 3s"},
		{"stand-in agents", "pcapcheck-lab", []string{"--agent-namespace", "pcapcheck-lab", "--lab-reports-instead-of-agents", reports}, exitOK, "2 nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := plugin(t, append([]string{"audit", "--kubeconfig", s.Kubeconfig}, tt.args...)...)
			t.Logf("kubectl pcapcheck audit %s\n%s%s", strings.Join(tt.args, " "), stderr, stdout)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.Contains(t, stderr, "created daemonset "+tt.ns+"/pcapcheck-agent")
			if tt.wantCode == exitOK {
				assert.Contains(t, stdout, "kind-worker2")
			}
			assertAuditGone(t, s, tt.ns)
		})
	}
}
