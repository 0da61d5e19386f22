package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// captureCmd holds the flags of `kubectl pcapcheck capture`.
type captureCmd struct {
	clients        *clients
	streams        genericiooptions.IOStreams
	container      string
	duration       time.Duration
	image          string
	write          string
	out            outputFlags
	istioNamespace string
	startTimeout   time.Duration
	labNetns       string
}

// Files --write keeps.
const (
	capturePcap   = "capture.pcap"
	inventoryJSON = "inventory.json"
)

func newCaptureCmd(c *clients, streams genericiooptions.IOStreams) *cobra.Command {
	cc := &captureCmd{clients: c, streams: streams}
	cmd := &cobra.Command{
		Use:   "capture POD [-c CONTAINER] [--duration 30s] [--image IMAGE] [--write DIR] [-o FORMAT]...",
		Short: "Capture a pod's traffic from inside it and say which flows the sidecar DNATed and which passed through",
		Long: `Adds an ephemeral container to the pod (kubectl debug's way, the only one on managed
clusters) running tcpdump -i any in the pod's network namespace, streams its pcap
into pcapcheck's analyzer while the inventory and the pod's sidecar registry are read
from the API, and prints the report. The ephemeral container stays in the pod's spec
(Kubernetes cannot remove one) and exits when the duration is over.`,
		Example: `  kubectl pcapcheck capture my-shell -n default --duration 20s
  kubectl pcapcheck capture my-shell --write run1 -o table -o json
  pcapcheck analyze run1/capture.pcap --inventory run1/inventory.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("capture takes one pod, NAME or NAMESPACE/NAME")
			}
			return nil
		},
		RunE: cc.run,
	}
	f := cmd.Flags()
	f.StringVarP(&cc.container, "container", "c", "", "the container whose process namespace the capture shares (the ephemeral container's target); default: the pod's first")
	f.DurationVar(&cc.duration, "duration", 30*time.Second, "how long to capture")
	f.StringVar(&cc.image, "image", defaultImage, "image of the capture container: it needs sh, timeout and tcpdump")
	f.StringVar(&cc.write, "write", "", "directory to keep capture.pcap and inventory.json in, for pcapcheck analyze DIR/capture.pcap --inventory DIR/inventory.json")
	f.StringArrayVarP(&cc.out.formats, "output", "o", nil, "report format: "+formatList()+"; repeatable, each printed in turn (default table)")
	f.BoolVar(&cc.out.flows, "flows", false, "list every flow and its evidence in table and markdown output")
	f.StringVar(&cc.istioNamespace, "istio-namespace", "istio-system", "the namespace of istiod and its istio ConfigMap")
	f.DurationVar(&cc.startTimeout, "pod-running-timeout", 2*time.Minute, "how long to wait for the capture container to run")
	f.StringVar(&cc.labNetns, labNetnsFlag, "", "")
	f.MarkHidden(labNetnsFlag)
	return cmd
}

func (cc *captureCmd) run(cmd *cobra.Command, args []string) error {
	formats, err := cc.out.parse()
	if err != nil {
		return err
	}
	if cc.duration <= 0 {
		return usagef("--duration must be positive, got %s", cc.duration)
	}
	if err := cc.clients.load(); err != nil {
		return err
	}
	ns, err := cc.clients.namespace()
	if err != nil {
		return err
	}
	ref, err := parsePodRef(args[0], ns)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	pod, err := cc.clients.kube.CoreV1().Pods(ref.namespace).Get(ctx, ref.name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return podNotFound(ref.namespace, ref.name)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("not allowed to read pod %s: ask for \"get\" on pods in namespace %s", ref, ref.namespace)
	case err != nil:
		return fmt.Errorf("reading pod %s: %w", ref, err)
	}
	if pod.Status.Phase != corev1.PodRunning && cc.labNetns == "" {
		return podNotRunning(pod)
	}
	if cc.write != "" {
		if err := os.MkdirAll(cc.write, 0o755); err != nil {
			return fmt.Errorf("--write: %w", err)
		}
	}

	// The inventory is read while the capture runs.
	type fetched struct {
		b   *bundle
		err error
	}
	invc := make(chan fetched, 1)
	go func() {
		opts := exportOptions{istioNamespace: cc.istioNamespace}
		if hasSidecar(pod) {
			opts.registries = []podRef{ref}
		}
		b, err := cc.exporter().export(ctx, opts)
		invc <- fetched{b, err}
	}()

	req := captureRequest{pod: pod, container: cc.container, image: cc.image, duration: cc.duration}
	stream, err := cc.starter().Start(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(cc.streams.ErrOut, "capturing in %s for %s (Ctrl-C ends it sooner)\n", stream.where, cc.duration)
	var r io.Reader = stream
	if cc.write != "" {
		f, err := os.Create(filepath.Join(cc.write, capturePcap))
		if err != nil {
			stream.Stop()
			return fmt.Errorf("--write: %w", err)
		}
		defer f.Close()
		r = io.TeeReader(stream, f)
	}
	timer := time.AfterFunc(cc.duration, func() { stream.Stop() })
	defer timer.Stop()
	stopped := make(chan struct{})
	go func() {
		// Ctrl-C ends the capture; the report of what was read is printed.
		select {
		case <-ctx.Done():
			stream.Stop()
		case <-stopped:
		}
	}()
	z := &analyzer{}
	rerr := z.read(context.WithoutCancel(ctx), pod.Namespace+"/"+pod.Name, r)
	close(stopped)
	serr := stream.Stop()
	if err := errors.Join(rerr, serr); err != nil {
		return err
	}
	inv := <-invc
	if inv.err != nil {
		return inv.err
	}
	path := inventoryJSON
	if cc.write != "" {
		path = filepath.Join(cc.write, inventoryJSON)
		if err := os.WriteFile(path, inv.b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--write: %w", err)
		}
	}
	return z.report(cc.streams.Out, path, inv.b.Bytes(), formats, cc.out.flows)
}

func (cc *captureCmd) exporter() *exporter {
	c := cc.clients
	var reg registryReader = &portForwardRegistry{cfg: c.cfg, kube: c.kube}
	if cc.labNetns != "" {
		reg = labRegistry{netns: cc.labNetns}
	}
	return &exporter{kube: c.kube, dyn: c.dyn, registry: reg, warn: warner(cc.streams.ErrOut)}
}

func (cc *captureCmd) starter() captureStarter {
	if cc.labNetns != "" {
		return labCapture{netns: cc.labNetns}
	}
	return &ephemeralCapture{cfg: cc.clients.cfg, kube: cc.clients.kube, startTimeout: cc.startTimeout}
}

// hasSidecar reports whether the pod has an istio-proxy container (or
// native-sidecar init container).
func hasSidecar(pod *corev1.Pod) bool {
	for _, cs := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range cs {
			if c.Name == "istio-proxy" {
				return true
			}
		}
	}
	return false
}
