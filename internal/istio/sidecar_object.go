package istio

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// sidecarAPIVersions are the versions of networking.istio.io that serve
// Sidecar, all with the same schema.
var sidecarAPIVersions = []string{"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"}

// readSidecar reads a Sidecar object: metadata, spec.workloadSelector,
// spec.egress and spec.outboundTrafficPolicy. spec.ingress and the other
// fields do not change the outbound registry and are not read (but kept
// for suggest --from).
func (c *Config) readSidecar(d inventory.Document) *source.Error {
	r := newReader(d.Path, d.Node)
	n := d.Node
	api, err := r.Str(source.Field(n, "apiVersion"), "apiVersion")
	if err != nil {
		return err
	}
	if api != "" && !slices.Contains(sidecarAPIVersions, api) {
		if !strings.HasPrefix(api, "networking.istio.io/") {
			return r.Invalidf(source.Field(n, "apiVersion"), "expected apiVersion networking.istio.io/v1, v1beta1 or v1alpha3 for a Sidecar, found %q", api)
		}
		c.warn("%s:%d: Sidecar of apiVersion %s: read as networking.istio.io/v1", d.Path, n.Line, api)
	}
	if err := checkSidecarFields(r, n); err != nil {
		return err
	}
	sc := &Sidecar{From: inventory.Position{Path: d.Path, Line: n.Line}, node: n}
	if sc.Ref, sc.Created, err = c.sidecarMeta(r, n); err != nil {
		return err
	}
	spec := source.Field(n, "spec")
	if err := r.Mapping(spec, "spec"); err != nil {
		return err
	}
	if ws := source.Field(spec, "workloadSelector"); !source.IsNull(ws) {
		if err := r.Mapping(ws, "spec.workloadSelector"); err != nil {
			return err
		}
		if sc.Selector, err = r.StrMap(source.Field(ws, "labels"), "spec.workloadSelector.labels"); err != nil {
			return err
		}
		if sc.Selector == nil {
			sc.Selector = map[string]string{} // a selector of no labels selects every pod
		}
	}
	if sc.Egress, err = readEgress(r, source.Field(spec, "egress")); err != nil {
		return err
	}
	if sc.OutboundPolicy, err = readPolicy(r, source.Field(spec, "outboundTrafficPolicy"), "spec.outboundTrafficPolicy"); err != nil {
		return err
	}
	c.addSidecar(sc)
	return nil
}

func (c *Config) sidecarMeta(r source.Reader, n *yaml.Node) (inventory.Ref, time.Time, *source.Error) {
	var created time.Time
	ref, err := inventory.ReadMeta(r, n, "Sidecar")
	if err != nil {
		return inventory.Ref{}, created, err
	}
	if ref.Namespace == "" {
		// kubectl apply puts a manifest without namespace in the context's
		// namespace, "default" unless configured otherwise.
		ref.Namespace = "default"
		c.warn("%s:%d: Sidecar %s has no metadata.namespace; assuming default, as kubectl apply would without -n", r.Path, n.Line, ref.Name)
	}
	md := source.Field(n, "metadata")
	ts, err := r.Str(source.Field(md, "creationTimestamp"), "metadata.creationTimestamp")
	if err != nil {
		return inventory.Ref{}, created, err
	}
	if ts != "" {
		var perr error
		if created, perr = time.Parse(time.RFC3339, ts); perr != nil {
			return inventory.Ref{}, created, r.Invalidf(source.Field(md, "creationTimestamp"), "expected an RFC 3339 time for metadata.creationTimestamp, found %q", ts)
		}
	}
	return ref, created, nil
}

func readEgress(r source.Reader, n *yaml.Node) ([]Listener, *source.Error) {
	items, err := r.List(n, "spec.egress")
	if err != nil {
		return nil, err
	}
	out := make([]Listener, 0, len(items))
	for i, item := range items {
		what := source.Indexed("spec.egress", i)
		if err := r.Mapping(item, what); err != nil {
			return nil, err
		}
		var l Listener
		if p := source.Field(item, "port"); !source.IsNull(p) {
			if err := r.Mapping(p, what+".port"); err != nil {
				return nil, err
			}
			if l.Port, err = r.Port(source.Field(p, "number"), what+".port.number"); err != nil {
				return nil, err
			}
			if l.Protocol, err = r.Str(source.Field(p, "protocol"), what+".port.protocol"); err != nil {
				return nil, err
			}
		}
		hosts, err := r.List(source.Field(item, "hosts"), what+".hosts")
		if err != nil {
			return nil, err
		}
		if len(hosts) == 0 {
			return nil, r.Invalidf(item, "expected at least one host in %s.hosts, as Istio's validation requires", what)
		}
		for j, hn := range hosts {
			s, err := r.Str(hn, source.Indexed(what+".hosts", j))
			if err != nil {
				return nil, err
			}
			h, perr := ParseHost(s)
			if perr != nil {
				return nil, r.Invalidf(hn, "%s: %v", source.Indexed(what+".hosts", j), perr)
			}
			l.Hosts = append(l.Hosts, h)
		}
		out = append(out, l)
	}
	return out, nil
}

// readPolicy reads an outboundTrafficPolicy mapping's mode.
func readPolicy(r source.Reader, n *yaml.Node, what string) (Policy, *source.Error) {
	if source.IsNull(n) {
		return PolicyUnset, nil
	}
	if err := r.Mapping(n, what); err != nil {
		return PolicyUnset, err
	}
	mode, err := r.Str(source.Field(n, "mode"), what+".mode")
	if err != nil || mode == "" {
		return PolicyUnset, err // no mode: pcapcheck does not guess the proto's default
	}
	p, perr := ParsePolicy(mode)
	if perr != nil {
		return PolicyUnset, r.Invalidf(source.Field(n, "mode"), "%s.mode: expected ALLOW_ANY or REGISTRY_ONLY, found %q", what, mode)
	}
	return p, nil
}

// addSidecar records sc; a Sidecar read twice from different places is
// replaced by the later reading, with a warning.
func (c *Config) addSidecar(sc *Sidecar) {
	for i, old := range c.Sidecars {
		if old.Ref == sc.Ref {
			if old.From != sc.From {
				c.warn("Sidecar %s read twice (%s and %s); using the later", sc.Ref, old.From, sc.From)
			}
			c.Sidecars[i] = sc
			return
		}
	}
	c.Sidecars = append(c.Sidecars, sc)
}
