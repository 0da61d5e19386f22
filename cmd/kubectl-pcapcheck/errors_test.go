package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestEphemeralError maps the API server's refusals of the ephemeral
// container to one line each. The messages are the API server's own:
// PodSecurity's from k8s.io/pod-security-admission (admission.go,
// "violates PodSecurity %q: %s"), RBAC's Forbidden, and the 404 a server
// without the subresource answers.
func TestEphemeralError(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1"}}
	gr := schema.GroupResource{Resource: "pods"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"PSA restricted", apierrors.NewForbidden(gr, "web-1", errors.New(`violates PodSecurity "restricted:latest": unrestricted capabilities (container "pcapcheck-1" must not include "NET_RAW" in securityContext.capabilities.add)`)),
			`namespace shop enforces Pod Security "restricted:latest", which refuses tcpdump's NET_RAW capability: capture in a namespace at baseline or privileged (label pod-security.kubernetes.io/enforce), or on the node with pcapcheck live`},
		{"RBAC", apierrors.NewForbidden(schema.GroupResource{Resource: "pods/ephemeralcontainers"}, "web-1", errors.New(`User "dev" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"`)),
			`not allowed to add an ephemeral container to shop/web-1: ask for "patch" on pods/ephemeralcontainers in namespace shop (kubectl auth can-i patch pods/ephemeralcontainers -n shop)`},
		{"no subresource", &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 404, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"}},
			"the cluster does not serve pods/ephemeralcontainers (Kubernetes before 1.23, or the feature is off): capture on the node with pcapcheck live instead"},
		{"pod gone", apierrors.NewNotFound(gr, "web-1"),
			"pod web-1 not found in namespace shop: check the name, and give the namespace with -n"},
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Kind: "Pod"}, "web-1", nil),
			`the API server refused an ephemeral container in shop/web-1: Pod "web-1" is invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ephemeralError(pod, tt.err).Error())
		})
	}
}

// TestContainerState reads the ephemeral container's status as the
// kubelet reports it (reasons of kubelet's images and kuberuntime
// packages).
func TestContainerState(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1"}}
	tests := []struct {
		name    string
		state   corev1.ContainerState
		running bool
		wantErr string
	}{
		{"running", corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}, true, ""},
		{"creating", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}, false, ""},
		{"pull failed", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull"}}, false,
			"image img cannot be pulled on the node of shop/web-1 (ErrImagePull): give an image with tcpdump the node can pull with --image"},
		{"back-off", corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}, false,
			"image img cannot be pulled on the node of shop/web-1 (ImagePullBackOff): give an image with tcpdump the node can pull with --image"},
		{"no tcpdump", corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 127, Reason: "Error"}}, false,
			"the capture container of shop/web-1 ended at once (exit 127: Error): does image img have sh, timeout and tcpdump?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			running, err := containerState(pod, "img", corev1.ContainerStatus{State: tt.state})
			assert.Equal(t, tt.running, running)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

func TestParsePodRef(t *testing.T) {
	tests := []struct {
		in, ns  string
		want    podRef
		wantErr bool
	}{
		{"my-shell", "default", podRef{"default", "my-shell"}, false},
		{"shop/web-1", "default", podRef{"shop", "web-1"}, false},
		{"pod/web-1", "shop", podRef{"shop", "web-1"}, false},
		{"a/b/c", "default", podRef{}, true},
		{"", "default", podRef{}, true},
	}
	for _, tt := range tests {
		got, err := parsePodRef(tt.in, tt.ns)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.wantErr, err != nil, tt.in)
	}
}
