package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// envoyAdminPort is the port of Envoy's admin interface in an Istio
// sidecar, on the pod's 127.0.0.1.
const envoyAdminPort = 15000

// clustersPath is what istioctl proxy-config endpoint asks Envoy's admin.
const clustersPath = "/clusters?format=json"

// registryReader reads a sidecar's registry: Envoy's /clusters?format=json
// response.
type registryReader interface {
	Clusters(ctx context.Context, namespace, pod string) ([]byte, error)
}

// portForwardRegistry reads it through a port-forward to the pod's 15000,
// as istioctl proxy-config endpoint does.
type portForwardRegistry struct {
	cfg  *rest.Config
	kube kubernetes.Interface
}

// maxClusters bounds the admin's answer: a mesh of thousands of services
// answers a few MiB.
const maxClusters = 64 << 20

func (r *portForwardRegistry) Clusters(ctx context.Context, namespace, pod string) ([]byte, error) {
	req := r.kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("portforward")
	transport, upgrader, err := spdy.RoundTripperFor(r.cfg)
	if err != nil {
		return nil, err
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, req.URL())
	// As kubectl port-forward: WebSockets first, SPDY when the server
	// does not upgrade to them.
	if ws, err := portforward.NewSPDYOverWebsocketDialer(req.URL(), r.cfg); err == nil {
		dialer = portforward.NewFallbackDialer(ws, dialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
	}
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	var errOut strings.Builder
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{fmt.Sprintf("0:%d", envoyAdminPort)}, stop, ready, io.Discard, &errOut)
	if err != nil {
		return nil, err
	}
	errc := make(chan error, 1)
	go func() { errc <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		return nil, fmt.Errorf("port-forward to %s/%s:%d: %w", namespace, pod, envoyAdminPort, forwardError(err))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ports, err := fw.GetPorts()
	if err != nil || len(ports) == 0 {
		return nil, fmt.Errorf("port-forward to %s/%s:%d: no local port", namespace, pod, envoyAdminPort)
	}
	return getClusters(ctx, fmt.Sprintf("http://127.0.0.1:%d%s", ports[0].Local, clustersPath))
}

// getClusters asks an Envoy admin for its clusters.
func getClusters(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asking the sidecar's admin for its clusters: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the sidecar's admin answered %s to %s: is the pod's istio-proxy running?", resp.Status, clustersPath)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxClusters))
}

func forwardError(err error) error {
	if err == nil {
		return fmt.Errorf("closed before it was ready")
	}
	return err
}
