package main

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ephemeralError turns the API server's refusal of the ephemeral
// container into one line saying what to do.
func ephemeralError(pod *corev1.Pod, err error) error {
	ref := pod.Namespace + "/" + pod.Name
	msg := err.Error()
	if s, ok := err.(apierrors.APIStatus); ok {
		msg = s.Status().Message
	}
	switch {
	case strings.Contains(msg, "violates PodSecurity"):
		level := "its"
		if i := strings.Index(msg, `violates PodSecurity "`); i >= 0 {
			level = `"` + strings.SplitN(msg[i+len(`violates PodSecurity "`):], `"`, 2)[0] + `"`
		}
		return fmt.Errorf("namespace %s enforces Pod Security %s, which refuses tcpdump's NET_RAW capability: capture in a namespace at baseline or privileged (label pod-security.kubernetes.io/enforce), or on the node with pcapcheck live",
			pod.Namespace, level)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("not allowed to add an ephemeral container to %s: ask for \"patch\" on pods/ephemeralcontainers in namespace %s (kubectl auth can-i patch pods/ephemeralcontainers -n %s)",
			ref, pod.Namespace, pod.Namespace)
	case apierrors.IsNotFound(err) && strings.Contains(msg, "could not find the requested resource"),
		apierrors.IsMethodNotSupported(err):
		return fmt.Errorf("the cluster does not serve pods/ephemeralcontainers (Kubernetes before 1.23, or the feature is off): capture on the node with pcapcheck live instead")
	case apierrors.IsNotFound(err):
		return podNotFound(pod.Namespace, pod.Name)
	case apierrors.IsInvalid(err):
		return fmt.Errorf("the API server refused an ephemeral container in %s: %s", ref, msg)
	}
	return fmt.Errorf("adding the capture container to %s: %w", ref, err)
}

func podNotFound(namespace, name string) error {
	return fmt.Errorf("pod %s not found in namespace %s: check the name, and give the namespace with -n", name, namespace)
}

// podNotRunning says why a pod cannot be captured.
func podNotRunning(pod *corev1.Pod) error {
	return fmt.Errorf("pod %s/%s is %s, not Running: capture needs its network namespace, which only a running pod has", pod.Namespace, pod.Name, phase(pod))
}

func phase(pod *corev1.Pod) string {
	if pod.Status.Phase == "" {
		return "Pending"
	}
	return string(pod.Status.Phase)
}

// isNotFound reports whether err is the API server's 404.
func isNotFound(err error) bool { return apierrors.IsNotFound(err) }
