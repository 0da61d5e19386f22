package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
)

// defaultImage has tcpdump, sh and timeout: nicolaka/netshoot is the image
// the Kubernetes documentation's and most guides' `kubectl debug` network
// examples use.
const defaultImage = "nicolaka/netshoot"

// ephemeralCapture adds an ephemeral container running tcpdump to the pod
// and attaches to its standard output.
type ephemeralCapture struct {
	cfg  *rest.Config
	kube kubernetes.Interface
	// startTimeout bounds the wait for the container to run.
	startTimeout time.Duration
}

// captureScript waits for a line on standard input before it starts
// tcpdump: attach sees only what is written after it attached, and the
// pcap's header is written first. timeout ends tcpdump (and so the
// ephemeral container, which cannot be removed) after the capture's
// duration even when the plugin is gone.
const captureScript = `read -r _ && exec timeout -s INT "$0" tcpdump -i any -U -w -`

// ephemeralContainer returns the container capture adds: tcpdump with
// NET_RAW only (-i any opens no interface in promiscuous mode, so
// NET_ADMIN is not needed; Pod Security's baseline level allows NET_RAW).
func ephemeralContainer(req captureRequest, name string) corev1.EphemeralContainer {
	secs := int((req.duration + time.Second - 1) / time.Second)
	return corev1.EphemeralContainer{
		TargetContainerName: req.container,
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name:                     name,
			Image:                    req.image,
			ImagePullPolicy:          corev1.PullIfNotPresent,
			Command:                  []string{"sh", "-c", captureScript, fmt.Sprint(secs)},
			Stdin:                    true,
			StdinOnce:                true,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			SecurityContext: &corev1.SecurityContext{
				Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_RAW"}},
			},
		},
	}
}

// ephemeralPatch is the strategic merge patch of the pod's
// ephemeralcontainers subresource that adds c, as kubectl debug sends it.
func ephemeralPatch(c corev1.EphemeralContainer) ([]byte, error) {
	return json.Marshal(map[string]any{"spec": map[string]any{"ephemeralContainers": []corev1.EphemeralContainer{c}}})
}

// addEphemeral patches the pod; an error is one line saying what to do.
func addEphemeral(ctx context.Context, kube kubernetes.Interface, pod *corev1.Pod, c corev1.EphemeralContainer) error {
	patch, err := ephemeralPatch(c)
	if err != nil {
		return err
	}
	_, err = kube.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "ephemeralcontainers")
	if err != nil {
		return ephemeralError(pod, err)
	}
	return nil
}

func (e *ephemeralCapture) Start(ctx context.Context, req captureRequest) (*captureStream, error) {
	name := fmt.Sprintf("pcapcheck-%05d", rand.IntN(100000))
	if err := addEphemeral(ctx, e.kube, req.pod, ephemeralContainer(req, name)); err != nil {
		return nil, err
	}
	if err := e.waitRunning(ctx, req, name); err != nil {
		return nil, err
	}
	return e.attach(ctx, req.pod, name)
}

// waitRunning waits for the ephemeral container to run; an image that
// cannot be pulled, or a container that ended, is an error.
func (e *ephemeralCapture) waitRunning(ctx context.Context, req captureRequest, name string) error {
	timeout := e.startTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	pod := req.pod
	err := pollPod(ctx, e.kube, pod, time.Now().Add(timeout), func(p *corev1.Pod) (bool, error) {
		for _, st := range p.Status.EphemeralContainerStatuses {
			if st.Name == name {
				return containerState(pod, req.image, st)
			}
		}
		return false, nil
	})
	if errors.Is(err, errTimeout) {
		return fmt.Errorf("the capture container %s of %s/%s did not start within %s: look at kubectl describe pod %s -n %s",
			name, pod.Namespace, pod.Name, timeout, pod.Name, pod.Namespace)
	}
	return err
}

// containerState says whether the ephemeral container runs, and fails
// for one that will not.
func containerState(pod *corev1.Pod, image string, st corev1.ContainerStatus) (bool, error) {
	switch {
	case st.State.Running != nil:
		return true, nil
	case st.State.Terminated != nil:
		t := st.State.Terminated
		msg := strings.TrimSpace(t.Message)
		if msg == "" {
			msg = t.Reason
		}
		return false, fmt.Errorf("the capture container of %s/%s ended at once (exit %d: %s): does image %s have sh, timeout and tcpdump?",
			pod.Namespace, pod.Name, t.ExitCode, msg, image)
	case st.State.Waiting != nil:
		switch w := st.State.Waiting; w.Reason {
		case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull":
			return false, fmt.Errorf("image %s cannot be pulled on the node of %s/%s (%s): give an image with tcpdump the node can pull with --image",
				image, pod.Namespace, pod.Name, w.Reason)
		case "CreateContainerError", "CreateContainerConfigError", "RunContainerError":
			return false, fmt.Errorf("the capture container of %s/%s cannot start (%s: %s)", pod.Namespace, pod.Name, w.Reason, w.Message)
		}
	}
	return false, nil
}

// attach streams the container's standard output. It writes one line to
// its standard input, which starts tcpdump (see captureScript).
func (e *ephemeralCapture) attach(ctx context.Context, pod *corev1.Pod, name string) (*captureStream, error) {
	req := e.kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{Container: name, Stdin: true, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	exec, err := remotecommand.NewSPDYExecutor(e.cfg, "POST", req.URL())
	if err != nil {
		return nil, err
	}
	// As kubectl attach: WebSockets first, SPDY when the server does not
	// upgrade to them.
	if ws, err := remotecommand.NewWebSocketExecutor(e.cfg, "GET", req.URL().String()); err == nil {
		exec, _ = remotecommand.NewFallbackExecutor(ws, exec, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	stdinR, stdinW := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		err := exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdinR, Stdout: pw, Stderr: &stderr})
		pw.CloseWithError(err)
		done <- err
	}()
	go func() {
		io.WriteString(stdinW, "start\n")
		<-ctx.Done()
		stdinW.Close()
	}()
	stop := func() error {
		cancel()
		err := <-done
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("attach to %s/%s %s: %w: %s", pod.Namespace, pod.Name, name, err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	return &captureStream{r: pr, stop: stop, where: fmt.Sprintf("ephemeral container %s of %s/%s", name, pod.Namespace, pod.Name)}, nil
}

// errTimeout is pollPod's error when the deadline passed.
var errTimeout = errors.New("timed out")

// pollPod reads the pod every second until done says so, fails, the
// deadline passes (errTimeout) or ctx ends.
func pollPod(ctx context.Context, kube kubernetes.Interface, pod *corev1.Pod, deadline time.Time, done func(*corev1.Pod) (bool, error)) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		p, err := kube.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if ok, err := done(p); ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return errTimeout
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
