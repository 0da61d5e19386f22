package incluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/istio"
)

// resource is one list the inventory reads.
type resource struct {
	// paths are tried in order until one is served (Istio's API versions,
	// newest first); an empty list of served paths skips the resource when
	// optional.
	paths    []string
	optional bool
}

var resources = []resource{
	{paths: []string{"/api/v1/pods"}},
	{paths: []string{"/api/v1/services"}},
	{paths: []string{"/apis/discovery.k8s.io/v1/endpointslices"}},
	{paths: []string{"/api/v1/nodes"}},
	{paths: []string{"/apis/networking.istio.io/v1/sidecars", "/apis/networking.istio.io/v1beta1/sidecars", "/apis/networking.istio.io/v1alpha3/sidecars"}, optional: true},
	{paths: []string{"/apis/networking.istio.io/v1/serviceentries", "/apis/networking.istio.io/v1beta1/serviceentries", "/apis/networking.istio.io/v1alpha3/serviceentries"}, optional: true},
}

// Snapshot is the cluster as Load read it.
type Snapshot struct {
	Inventory *inventory.Inventory
	// Istio holds the Sidecars, ServiceEntries and mesh config, finished
	// and with its version taken from the inventory.
	Istio *istio.Config
	// Skipped lists the requests the API server does not serve (404):
	// Istio's resources without Istio, a cluster without the istio
	// ConfigMap.
	Skipped []string
}

// Load reads the inventory and Istio's configuration.
func (c *Client) Load(ctx context.Context) (*Snapshot, error) {
	token, err := c.token()
	if err != nil {
		return nil, err
	}
	cfg := &istio.Config{}
	opts := inventory.Options{Documents: cfg.Take}
	s := &Snapshot{Inventory: &inventory.Inventory{}, Istio: cfg}
	for _, r := range resources {
		served := false
		for _, p := range r.paths {
			ok, err := c.list(ctx, token, p, opts, s.Inventory)
			if err != nil {
				return nil, err
			}
			if ok {
				served = true
				break
			}
		}
		if !served {
			if !r.optional {
				return nil, fmt.Errorf("incluster: GET %s: %w (404): the API server does not serve it", r.paths[0], ErrAPI)
			}
			s.Skipped = append(s.Skipped, r.paths[0])
		}
	}
	cm := "/api/v1/namespaces/" + url.PathEscape(c.cfg.IstioNamespace) + "/configmaps/istio"
	body, err := c.get(ctx, token, cm, nil, true)
	if err != nil {
		return nil, err
	}
	if body == nil {
		s.Skipped = append(s.Skipped, cm)
	} else if err := parseInto(s.Inventory, opts, cm, body); err != nil {
		return nil, err
	}
	cfg.Finish()
	cfg.SetVersionFromInventory(s.Inventory)
	return s, nil
}

// list reads every page of a list into inv; false when the API does not
// serve it.
func (c *Client) list(ctx context.Context, token, path string, opts inventory.Options, inv *inventory.Inventory) (bool, error) {
	q := url.Values{"limit": {strconv.Itoa(c.cfg.Limit)}}
	for {
		body, err := c.get(ctx, token, path, q, true)
		if err != nil || body == nil {
			return false, err
		}
		if err := parseInto(inv, opts, path, body); err != nil {
			return true, err
		}
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Metadata.Continue == "" {
			return true, nil
		}
		q.Set("continue", page.Metadata.Continue)
	}
}

// parseInto reads one response as the inventory reads a kubectl get -o
// json file, named "kube-apiserver PATH", and adds what it held to inv.
func parseInto(inv *inventory.Inventory, opts inventory.Options, path string, body []byte) error {
	name := "kube-apiserver " + path
	got, err := inventory.ParseWith(opts, name, body)
	if err != nil {
		return fmt.Errorf("incluster: %w", err)
	}
	inv.Pods = append(inv.Pods, got.Pods...)
	inv.Services = append(inv.Services, got.Services...)
	inv.Endpoints = append(inv.Endpoints, got.Endpoints...)
	inv.Nodes = append(inv.Nodes, got.Nodes...)
	inv.Registries = append(inv.Registries, got.Registries...)
	inv.Warnings = append(inv.Warnings, got.Warnings...)
	for _, f := range got.Files {
		if len(inv.Files) == 0 || inv.Files[len(inv.Files)-1] != f {
			inv.Files = append(inv.Files, f)
		}
	}
	return nil
}
