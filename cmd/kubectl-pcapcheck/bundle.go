package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// bundle is an inventory bundle being assembled: the items of one
// kubectl-style List (see internal/inventory/bundle.go for the format).
type bundle struct {
	items []any
}

// sidecarRegistry is the bundle item holding one sidecar's registry.
type sidecarRegistry struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   registryMeta    `json:"metadata"`
	Clusters   json.RawMessage `json:"clusters"`
}

type registryMeta struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// addRegistry adds pod's registry, Envoy's /clusters?format=json response,
// which must be a JSON object.
func (b *bundle) addRegistry(namespace, pod string, envoy []byte) error {
	envoy = bytes.TrimSpace(envoy)
	if !json.Valid(envoy) || len(envoy) == 0 || envoy[0] != '{' {
		return fmt.Errorf("the sidecar of %s/%s answered /clusters?format=json with no JSON object: is port 15000 Envoy's admin?", namespace, pod)
	}
	b.items = append(b.items, sidecarRegistry{
		APIVersion: inventory.BundleAPIVersion, Kind: inventory.KindSidecarRegistry,
		Metadata: registryMeta{Namespace: namespace, Name: pod}, Clusters: envoy,
	})
	return nil
}

// WriteTo writes the bundle as kubectl get -o json prints a List: four
// spaces of indent, a final newline.
func (b *bundle) WriteTo(w io.Writer) (int64, error) {
	items := b.items
	if items == nil {
		items = []any{}
	}
	data, err := json.MarshalIndent(struct {
		APIVersion string         `json:"apiVersion"`
		Kind       string         `json:"kind"`
		Items      []any          `json:"items"`
		Metadata   map[string]any `json:"metadata"`
	}{"v1", "List", items, map[string]any{"resourceVersion": ""}}, "", "    ")
	if err != nil {
		return 0, err
	}
	n, err := w.Write(append(data, '\n'))
	return int64(n), err
}

// Bytes returns what WriteTo writes.
func (b *bundle) Bytes() []byte {
	var buf bytes.Buffer
	b.WriteTo(&buf)
	return buf.Bytes()
}
