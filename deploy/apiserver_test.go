package deploy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/deploy"
	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
)

func TestMain(m *testing.M) { kubetest.Main(m) }

// TestDryRunApply sends every manifest to a real kube-apiserver as a
// server-side apply with dryRun=All: the real schema, validation,
// defaulting and admission (PodSecurity included) judge the DaemonSet, the
// RBAC and the rest. The namespace is created first, as kubectl apply -f
// deploy/ creates it before what lives in it.
func TestDryRunApply(t *testing.T) {
	s := kubetest.Shared(t)
	ms := deploy.Manifests()
	s.Apply(t, string(ms[0].Data))
	for _, m := range ms {
		t.Run(m.Name, func(t *testing.T) {
			require.NoError(t, s.Admin().TryApply(string(m.Data), kubetest.ApplyOptions{DryRun: true}))
		})
	}
	rendered, err := deploy.Render(deploy.Options{Image: "registry.local:5000/pcapcheck:dev", Args: []string{"agent", "--duration=1m", "--interval=10s"}})
	require.NoError(t, err)
	for _, m := range rendered {
		require.NoError(t, s.Admin().TryApply(string(m.Data), kubetest.ApplyOptions{DryRun: true}), "rendered %s", m.Name)
	}
}

// TestDryRunRejectsWhatPodSecurityForbids is the control of the test
// above: the same DaemonSet in a namespace that enforces the baseline
// level is refused (hostNetwork, NET_RAW), so the dry-run does judge.
func TestDryRunRejectsWhatPodSecurityForbids(t *testing.T) {
	s := kubetest.Shared(t)
	ns := s.Namespace(t, "deploy-baseline")
	s.Apply(t, fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {pod-security.kubernetes.io/enforce: baseline}\n", ns))
	s.Apply(t, fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: %s}\n", deploy.ServiceAccount, ns))
	var ds string
	for _, m := range deploy.Manifests() {
		if strings.Contains(string(m.Data), "kind: DaemonSet") {
			ds = strings.ReplaceAll(string(m.Data), "namespace: "+deploy.Namespace, "namespace: "+ns)
		}
	}
	// A DaemonSet is admitted with a warning; its pods are what
	// PodSecurity refuses. A pod of the same template shows it.
	pod := podOf(t, ds, ns)
	err := s.Admin().TryApply(pod, kubetest.ApplyOptions{DryRun: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "violates PodSecurity")
}

// podOf turns the DaemonSet's template into a Pod of namespace ns.
func podOf(t *testing.T, ds, ns string) string {
	t.Helper()
	i := strings.Index(ds, "  template:\n")
	require.Positive(t, i)
	tmpl := ds[i+len("  template:\n"):]
	// The template is indented by four spaces under spec.template.
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\n")
	for _, line := range strings.Split(tmpl, "\n") {
		line = strings.TrimPrefix(line, "    ")
		if strings.HasPrefix(line, "metadata:") {
			b.WriteString("metadata:\n  name: agent-probe\n  namespace: " + ns + "\n")
			continue
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// TestAgentRBAC asks the API server, with SubjectAccessReviews, what the
// agent's ServiceAccount may do once deploy/ is applied: read what the
// inventory needs, and nothing else — no secrets, no other ConfigMap, no
// write, no exec, no logs.
func TestAgentRBAC(t *testing.T) {
	s := kubetest.Shared(t)
	for _, m := range deploy.Manifests() {
		if !strings.Contains(string(m.Data), "kind: DaemonSet") {
			s.Apply(t, string(m.Data))
		}
	}
	type attrs struct {
		verb, group, resource, sub, ns, name string
	}
	tests := []struct {
		attrs
		allowed bool
	}{
		{attrs{verb: "list", resource: "pods"}, true},
		{attrs{verb: "watch", resource: "pods"}, true},
		{attrs{verb: "get", resource: "pods", ns: "bookinfo", name: "x"}, true},
		{attrs{verb: "list", resource: "services"}, true},
		{attrs{verb: "list", resource: "nodes"}, true},
		{attrs{verb: "list", group: "discovery.k8s.io", resource: "endpointslices"}, true},
		{attrs{verb: "list", group: "networking.istio.io", resource: "sidecars"}, true},
		{attrs{verb: "list", group: "networking.istio.io", resource: "serviceentries"}, true},
		{attrs{verb: "get", resource: "configmaps", ns: "istio-system", name: "istio"}, true},

		{attrs{verb: "get", resource: "secrets", ns: "istio-system", name: "istio-ca-secret"}, false},
		{attrs{verb: "list", resource: "secrets"}, false},
		{attrs{verb: "watch", resource: "secrets"}, false},
		{attrs{verb: "list", resource: "configmaps"}, false},
		{attrs{verb: "get", resource: "configmaps", ns: "kube-system", name: "kubeadm-config"}, false},
		{attrs{verb: "create", resource: "pods", ns: "default"}, false},
		{attrs{verb: "delete", resource: "pods", ns: "default", name: "x"}, false},
		{attrs{verb: "patch", resource: "services", ns: "default", name: "x"}, false},
		{attrs{verb: "update", resource: "nodes", name: "kind-worker"}, false},
		{attrs{verb: "create", resource: "pods", sub: "exec", ns: "default", name: "x"}, false},
		{attrs{verb: "get", resource: "pods", sub: "log", ns: "default", name: "x"}, false},
		{attrs{verb: "create", resource: "pods", sub: "ephemeralcontainers", ns: "default", name: "x"}, false},
		{attrs{verb: "patch", group: "apps", resource: "daemonsets", ns: deploy.Namespace, name: deploy.DaemonSet}, false},
		{attrs{verb: "create", group: "networking.istio.io", resource: "sidecars", ns: "default"}, false},
		{attrs{verb: "delete", group: "networking.istio.io", resource: "serviceentries", ns: "default", name: "x"}, false},
		{attrs{verb: "impersonate", resource: "users"}, false},
		{attrs{verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings"}, false},
		{attrs{verb: "create", resource: "serviceaccounts", sub: "token", ns: deploy.Namespace, name: deploy.ServiceAccount}, false},
	}
	user := "system:serviceaccount:" + deploy.Namespace + ":" + deploy.ServiceAccount
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s/%s/%s %s/%s", tt.verb, tt.group, tt.resource, tt.sub, tt.ns, tt.name)
		t.Run(name, func(t *testing.T) {
			review := map[string]any{
				"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
				"spec": map[string]any{
					"user":   user,
					"groups": []string{"system:serviceaccounts", "system:serviceaccounts:" + deploy.Namespace, "system:authenticated"},
					"resourceAttributes": map[string]any{"verb": tt.verb, "group": tt.group, "resource": tt.resource,
						"subresource": tt.sub, "namespace": tt.ns, "name": tt.name},
				},
			}
			body, err := json.Marshal(review)
			require.NoError(t, err)
			code, out := s.Admin().Do(t, http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews", "application/json", body)
			require.Equal(t, http.StatusCreated, code, string(out))
			var got struct {
				Status struct {
					Allowed bool   `json:"allowed"`
					Reason  string `json:"reason"`
				} `json:"status"`
			}
			require.NoError(t, json.Unmarshal(out, &got))
			assert.Equal(t, tt.allowed, got.Status.Allowed, "%s: %s", name, got.Status.Reason)
		})
	}
}

// TestAgentTokenRequests does what TestAgentRBAC asks, for real, with the
// agent's own ServiceAccount token: reads answer 200, a secret and a
// write 403.
func TestAgentTokenRequests(t *testing.T) {
	s := kubetest.Shared(t)
	for _, m := range deploy.Manifests() {
		if !strings.Contains(string(m.Data), "kind: DaemonSet") {
			s.Apply(t, string(m.Data))
		}
	}
	agent := s.WithToken(s.ServiceAccountToken(t, deploy.Namespace, deploy.ServiceAccount))
	tests := []struct {
		method, path string
		body         string
		want         int
	}{
		{http.MethodGet, "/api/v1/pods", "", http.StatusOK},
		{http.MethodGet, "/apis/discovery.k8s.io/v1/endpointslices", "", http.StatusOK},
		{http.MethodGet, "/apis/networking.istio.io/v1/sidecars", "", http.StatusOK},
		{http.MethodGet, "/api/v1/secrets", "", http.StatusForbidden},
		{http.MethodGet, "/api/v1/namespaces/" + deploy.Namespace + "/secrets", "", http.StatusForbidden},
		{http.MethodGet, "/api/v1/configmaps", "", http.StatusForbidden},
		{http.MethodPost, "/api/v1/namespaces/default/configmaps", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`, http.StatusForbidden},
		{http.MethodDelete, "/api/v1/namespaces/" + deploy.Namespace + "/serviceaccounts/" + deploy.ServiceAccount, "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			code, out := agent.Do(t, tt.method, tt.path, "application/json", body)
			assert.Equal(t, tt.want, code, string(out))
		})
	}
}
