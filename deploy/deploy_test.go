package deploy

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// object is the part of a manifest the tests read.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Rules []struct {
		APIGroups     []string `yaml:"apiGroups"`
		Resources     []string `yaml:"resources"`
		ResourceNames []string `yaml:"resourceNames"`
		Verbs         []string `yaml:"verbs"`
	} `yaml:"rules"`
	Spec struct {
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	ServiceAccountName string `yaml:"serviceAccountName"`
	HostNetwork        bool   `yaml:"hostNetwork"`
	Tolerations        []struct {
		Operator string `yaml:"operator"`
		Key      string `yaml:"key"`
	} `yaml:"tolerations"`
	SecurityContext struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
		RunAsUser    int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Env   []struct {
			Name      string `yaml:"name"`
			ValueFrom struct {
				FieldRef struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		SecurityContext struct {
			ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
			Privileged             bool `yaml:"privileged"`
			Capabilities           struct {
				Drop []string `yaml:"drop"`
				Add  []string `yaml:"add"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
	} `yaml:"containers"`
}

func decodeAll(t *testing.T, ms []Manifest) []object {
	t.Helper()
	var out []object
	for _, m := range ms {
		dec := yaml.NewDecoder(bytes.NewReader(m.Data))
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, m.Name)
			out = append(out, o)
		}
	}
	return out
}

func TestManifestsOrderAndNames(t *testing.T) {
	objs := decodeAll(t, Manifests())
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.Kind)
		assert.Equal(t, "pcapcheck-agent", o.Metadata.Labels["app.kubernetes.io/name"], "%s %s carries the selector label", o.Kind, o.Metadata.Name)
		switch o.Kind {
		case "Namespace":
			assert.Equal(t, Namespace, o.Metadata.Name)
		case "ServiceAccount":
			assert.Equal(t, ServiceAccount, o.Metadata.Name)
			assert.Equal(t, Namespace, o.Metadata.Namespace)
		case "ClusterRole":
			assert.Equal(t, ClusterRole, o.Metadata.Name)
		case "ClusterRoleBinding":
			assert.Equal(t, ClusterRoleBinding, o.Metadata.Name)
		case "DaemonSet":
			assert.Equal(t, DaemonSet, o.Metadata.Name)
			assert.Equal(t, Namespace, o.Metadata.Namespace)
		}
	}
	assert.Equal(t, []string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"}, kinds, "a namespace before what lives in it")
}

// TestClusterRoleReadsOnly pins the agent's RBAC: read verbs only, on the
// resources the in-cluster inventory reads, the ConfigMap by name.
func TestClusterRoleReadsOnly(t *testing.T) {
	want := map[string][]string{
		"/pods": {"get", "list", "watch"}, "/services": {"get", "list", "watch"}, "/nodes": {"get", "list", "watch"},
		"discovery.k8s.io/endpointslices": {"get", "list", "watch"},
		"/configmaps":                     {"get"},
		"networking.istio.io/sidecars":    {"get", "list", "watch"}, "networking.istio.io/serviceentries": {"get", "list", "watch"},
	}
	got := map[string][]string{}
	for _, o := range decodeAll(t, Manifests()) {
		if o.Kind != "ClusterRole" {
			continue
		}
		for _, r := range o.Rules {
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					got[g+"/"+res] = r.Verbs
				}
			}
			if slices.Contains(r.Resources, "configmaps") {
				assert.Equal(t, []string{"istio"}, r.ResourceNames, "configmaps only by name")
			}
		}
	}
	assert.Equal(t, want, got)
}

func TestDaemonSetSecurity(t *testing.T) {
	var ds *object
	for _, o := range decodeAll(t, Manifests()) {
		if o.Kind == "DaemonSet" {
			ds = &o
		}
	}
	require.NotNil(t, ds)
	spec := ds.Spec.Template.Spec
	assert.True(t, spec.HostNetwork)
	assert.Equal(t, ServiceAccount, spec.ServiceAccountName)
	require.Len(t, spec.Tolerations, 1)
	assert.Equal(t, "Exists", spec.Tolerations[0].Operator)
	assert.Empty(t, spec.Tolerations[0].Key, "tolerates every taint")
	assert.True(t, spec.SecurityContext.RunAsNonRoot)
	assert.NotZero(t, spec.SecurityContext.RunAsUser)
	require.Len(t, spec.Containers, 1)
	c := spec.Containers[0]
	assert.Equal(t, Container, c.Name)
	assert.Equal(t, DefaultImage, c.Image)
	assert.Equal(t, defaultArgs, c.Args)
	assert.True(t, c.SecurityContext.ReadOnlyRootFilesystem)
	assert.False(t, c.SecurityContext.Privileged)
	assert.Equal(t, []string{"ALL"}, c.SecurityContext.Capabilities.Drop)
	assert.Equal(t, []string{"NET_RAW"}, c.SecurityContext.Capabilities.Add, "the one capability capture needs")
	for _, r := range []string{"cpu", "memory"} {
		assert.NotEmpty(t, c.Resources.Requests[r], "request %s", r)
		assert.NotEmpty(t, c.Resources.Limits[r], "limit %s", r)
	}
	node := slices.IndexFunc(c.Env, func(e struct {
		Name      string `yaml:"name"`
		ValueFrom struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	}) bool {
		return e.Name == "NODE_NAME"
	})
	require.GreaterOrEqual(t, node, 0, "NODE_NAME from the downward API")
	assert.Equal(t, "spec.nodeName", c.Env[node].ValueFrom.FieldRef.FieldPath)
}

func TestRender(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantImage string
		wantArgs  []string
		wantErr   error
	}{
		{name: "zero value: as written", wantImage: DefaultImage, wantArgs: defaultArgs},
		{name: "image and args", opts: Options{Image: "registry.local:5000/pcapcheck:dev", Args: []string{"agent", "--duration=1m", `--filter=tcp port 80 or "x"`}},
			wantImage: "registry.local:5000/pcapcheck:dev", wantArgs: []string{"agent", "--duration=1m", `--filter=tcp port 80 or "x"`}},
		{name: "digest", opts: Options{Image: "ghcr.io/pcapcheck/pcapcheck@sha256:0123abcd"}, wantImage: "ghcr.io/pcapcheck/pcapcheck@sha256:0123abcd", wantArgs: defaultArgs},
		{name: "image that would break the YAML", opts: Options{Image: "x\n  hostPID: true"}, wantErr: ErrBadOption},
		{name: "image with a comment", opts: Options{Image: "x # y"}, wantErr: ErrBadOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Render(tt.opts)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			for _, o := range decodeAll(t, ms) {
				if o.Kind == "DaemonSet" {
					c := o.Spec.Template.Spec.Containers[0]
					assert.Equal(t, tt.wantImage, c.Image)
					assert.Equal(t, tt.wantArgs, c.Args)
				}
			}
			// Render hands out copies.
			assert.Equal(t, DefaultImage, decodeDaemonSetImage(t))
		})
	}
}

func decodeDaemonSetImage(t *testing.T) string {
	for _, o := range decodeAll(t, Manifests()) {
		if o.Kind == "DaemonSet" {
			return o.Spec.Template.Spec.Containers[0].Image
		}
	}
	return ""
}
