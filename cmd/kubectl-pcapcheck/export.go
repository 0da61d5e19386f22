package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// exporter reads from the API server what an inventory bundle holds.
type exporter struct {
	kube     kubernetes.Interface
	dyn      dynamic.Interface
	registry registryReader
	// warn receives what is left out and why (a CRD not installed).
	warn func(format string, args ...any)
}

// exportOptions say what to export.
type exportOptions struct {
	// namespace is the namespace listed; "" lists every namespace.
	namespace string
	// istioNamespace holds the istio ConfigMap (the mesh config).
	istioNamespace string
	// registries are the pods whose sidecar registry is read.
	registries []podRef
}

// podRef names a pod.
type podRef struct{ namespace, name string }

func (r podRef) String() string { return r.namespace + "/" + r.name }

// istioKinds are the Istio objects a bundle holds, by resource, each with
// the API versions tried in order: v1 since Istio 1.22, v1beta1 before.
var istioKinds = []struct {
	kind, resource string
	versions       []string
}{
	{"Sidecar", "sidecars", []string{"v1", "v1beta1"}},
	{"ServiceEntry", "serviceentries", []string{"v1", "v1beta1"}},
}

// export reads the bundle. An error says which listing failed, and, for a
// refusal, what to ask for.
func (e *exporter) export(ctx context.Context, o exportOptions) (*bundle, error) {
	b := &bundle{}
	list := metav1.ListOptions{}
	pods, err := e.kube.CoreV1().Pods(o.namespace).List(ctx, list)
	if err != nil {
		return nil, listError("pods", o.namespace, err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		p.APIVersion, p.Kind, p.ManagedFields = "v1", "Pod", nil
		b.items = append(b.items, p)
	}
	svcs, err := e.kube.CoreV1().Services(o.namespace).List(ctx, list)
	if err != nil {
		return nil, listError("services", o.namespace, err)
	}
	for i := range svcs.Items {
		s := &svcs.Items[i]
		s.APIVersion, s.Kind, s.ManagedFields = "v1", "Service", nil
		b.items = append(b.items, s)
	}
	slices, err := e.kube.DiscoveryV1().EndpointSlices(o.namespace).List(ctx, list)
	if err != nil {
		return nil, listError("endpointslices", o.namespace, err)
	}
	for i := range slices.Items {
		s := &slices.Items[i]
		s.APIVersion, s.Kind, s.ManagedFields = "discovery.k8s.io/v1", "EndpointSlice", nil
		b.items = append(b.items, s)
	}
	nodes, err := e.kube.CoreV1().Nodes().List(ctx, list)
	switch {
	case apierrors.IsForbidden(err):
		// Nodes are cluster-scoped: a namespace's user often may not list
		// them, and they only name node addresses.
		e.warn("nodes left out: not allowed to list them (%s)", reason(err))
	case err != nil:
		return nil, listError("nodes", "", err)
	default:
		for i := range nodes.Items {
			n := &nodes.Items[i]
			n.APIVersion, n.Kind, n.ManagedFields = "v1", "Node", nil
			b.items = append(b.items, n)
		}
	}
	for _, k := range istioKinds {
		if err := e.exportIstio(ctx, b, k.kind, k.resource, k.versions, o.namespace); err != nil {
			return nil, err
		}
	}
	cm, err := e.kube.CoreV1().ConfigMaps(o.istioNamespace).Get(ctx, "istio", metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
		e.warn("mesh config left out: configmap %s/istio: %s; pcapcheck assumes Istio's defaults (give --istio-namespace if istiod runs elsewhere)", o.istioNamespace, reason(err))
	case err != nil:
		return nil, fmt.Errorf("reading configmap %s/istio: %w", o.istioNamespace, err)
	default:
		cm.APIVersion, cm.Kind, cm.ManagedFields = "v1", "ConfigMap", nil
		b.items = append(b.items, meshOnly(cm))
	}
	for _, p := range o.registries {
		envoy, err := e.registry.Clusters(ctx, p.namespace, p.name)
		if err != nil {
			return nil, fmt.Errorf("reading the registry of %s: %w", p, err)
		}
		if err := b.addRegistry(p.namespace, p.name, envoy); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// meshOnly keeps of the istio ConfigMap what pcapcheck reads, its mesh key:
// the rest (meshNetworks, values) is of no use to it.
func meshOnly(cm *corev1.ConfigMap) *corev1.ConfigMap {
	out := cm.DeepCopy()
	out.Data = map[string]string{}
	if m, ok := cm.Data["mesh"]; ok {
		out.Data["mesh"] = m
	}
	out.Annotations = nil
	return out
}

// exportIstio adds the Istio objects of one resource, trying its API
// versions in order; a resource the cluster does not serve (Istio's CRDs
// not installed) is left out with a warning.
func (e *exporter) exportIstio(ctx context.Context, b *bundle, kind, resource string, versions []string, namespace string) error {
	for _, v := range versions {
		gvr := schema.GroupVersionResource{Group: "networking.istio.io", Version: v, Resource: resource}
		l, err := e.dyn.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return listError(resource+".networking.istio.io", namespace, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			u.SetManagedFields(nil)
			b.items = append(b.items, u.Object)
		}
		return nil
	}
	e.warn("%s objects left out: the cluster serves no %s.networking.istio.io (Istio's CRDs are not installed)", kind, resource)
	return nil
}

// listError says which listing failed; a refusal says what to ask for.
func listError(resource, namespace string, err error) error {
	where := "in namespace " + namespace
	if namespace == "" {
		where = "in all namespaces"
	}
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("not allowed to list %s %s: ask for \"list\" on %s (kubectl auth can-i list %s), or narrow the inventory with -n", resource, where, resource, resource)
	}
	return fmt.Errorf("listing %s %s: %w", resource, where, err)
}

// reason is the API server's message of err, or "not found".
func reason(err error) string {
	if apierrors.IsNotFound(err) {
		return "not found"
	}
	if s, ok := err.(apierrors.APIStatus); ok {
		return s.Status().Message
	}
	return err.Error()
}
