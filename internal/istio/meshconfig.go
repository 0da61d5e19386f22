package istio

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// meshConfigKeys are top-level MeshConfig fields (istio/api mesh/v1alpha1
// config.proto) by which a document without kind is told to be a bare
// MeshConfig.
var meshConfigKeys = []string{
	"outboundTrafficPolicy", "rootNamespace", "defaultServiceExportTo", "defaultVirtualServiceExportTo",
	"defaultDestinationRuleExportTo", "defaultConfig", "trustDomain", "accessLogFile", "enableAutoMtls",
	"extensionProviders", "defaultProviders", "discoverySelectors", "enableTracing", "ingressClass",
	"ingressService", "localityLbSetting", "meshMTLS", "inboundTrafficPolicy", "serviceSettings",
}

// readMeshConfig takes a document that holds a mesh config, in any of the
// forms it is kept in:
//
//   - the istio ConfigMap (kind ConfigMap, data.mesh: the MeshConfig as a
//     YAML string);
//   - that key alone, "mesh: |" with the MeshConfig below (the seed's
//     File 3), or "mesh:" with it as a mapping;
//   - an IstioOperator's spec.meshConfig, or its spec.values.meshConfig;
//   - Helm values (istiod chart) with a top-level meshConfig block, or one
//     under values: (the istiod chart's values.yaml, and a values fragment
//     pasted from an IstioOperator);
//   - a bare MeshConfig: a document without kind holding MeshConfig fields.
//
// Other ConfigMaps and documents are not taken.
func (c *Config) readMeshConfig(d inventory.Document) (bool, *source.Error) {
	r := newReader(d.Path, d.Node)
	n := d.Node
	switch d.Kind {
	case "ConfigMap":
		m := source.At(n, "data", "mesh")
		if m == nil || m.Kind != yaml.ScalarNode {
			return false, nil
		}
		return true, c.readEmbedded(r, m, "data.mesh")
	case "IstioOperator":
		for _, key := range []string{"spec.meshConfig", "spec.values.meshConfig"} {
			if m := source.At(n, strings.Split(key, ".")...); !source.IsNull(m) {
				return true, c.readMesh(r, m, key+".", docPos(d))
			}
		}
		return false, nil
	case "":
	default:
		return false, nil
	}
	for _, key := range []string{"mesh", "data.mesh"} {
		if m := source.At(n, strings.Split(key, ".")...); m != nil && m.Kind == yaml.ScalarNode && m.Tag != "!!null" {
			return true, c.readEmbedded(r, m, key)
		}
	}
	for _, key := range []string{"meshConfig", "spec.meshConfig", "values.meshConfig", "spec.values.meshConfig", "mesh"} {
		if m := source.At(n, strings.Split(key, ".")...); m != nil && m.Kind == yaml.MappingNode {
			return true, c.readMesh(r, m, key+".", docPos(d))
		}
	}
	for _, k := range meshConfigKeys {
		if source.Field(n, k) != nil {
			return true, c.readMesh(r, n, "", docPos(d))
		}
	}
	if c.meshFile && n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		// {} given as --mesh-config is a MeshConfig with every field at
		// istiod's default (pkg/config/mesh ApplyMeshConfigDefaults).
		return true, c.readMesh(r, n, "", docPos(d))
	}
	return false, nil
}

// readEmbedded reads the MeshConfig YAML held in the string m. Lines of a
// block string ("mesh: |") map back to the file; a quoted one (as in JSON)
// is reported at its own line.
func (c *Config) readEmbedded(r source.Reader, m *yaml.Node, what string) *source.Error {
	inner := newReader(r.Path, nil)
	if m.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		inner.LineOffset = m.Line
	}
	body := &yaml.Node{} // an empty string holds no document: nothing
	for doc, err := range source.Documents([]byte(m.Value)) {
		var se *source.SyntaxError
		if errors.As(err, &se) {
			e := r.Invalidf(m, "malformed YAML in %s: %s", what, se.Msg)
			if inner.LineOffset != 0 && se.Line > 0 {
				e.Line, e.Column = m.Line+se.Line, 0
			}
			return e
		}
		body = doc
		break // only the first document is read; what follows is not parsed
	}
	if body.Kind == yaml.DocumentNode {
		if len(body.Content) == 0 {
			c.setMesh(&MeshConfig{From: inventory.Position{Path: r.Path, Line: m.Line}})
			return nil
		}
		body = body.Content[0]
	}
	if inner.LineOffset == 0 {
		zeroLines(body, m.Line) // every position inside points at the string's line
	}
	inner.Near = body
	if err := inner.Mapping(body, what); err != nil {
		return err
	}
	return c.readMesh(inner, body, what+": ", inventory.Position{Path: r.Path, Line: m.Line})
}

// zeroLines sets every node's line to line and its column to 0.
func zeroLines(n *yaml.Node, line int) {
	n.Line, n.Column = line, 0
	for _, c := range n.Content {
		zeroLines(c, line)
	}
}

// readMesh reads the MeshConfig fields pcapcheck uses from the mapping m;
// from is where the mesh config is said to be (its document, or its string).
func (c *Config) readMesh(r source.Reader, m *yaml.Node, prefix string, from inventory.Position) *source.Error {
	mc := &MeshConfig{From: from}
	var err *source.Error
	if mc.RootNamespace, err = r.Str(source.Field(m, "rootNamespace"), prefix+"rootNamespace"); err != nil {
		return err
	}
	if mc.OutboundPolicy, err = readPolicy(r, source.Field(m, "outboundTrafficPolicy"), prefix+"outboundTrafficPolicy"); err != nil {
		return err
	}
	if n := source.Field(m, "defaultServiceExportTo"); !source.IsNull(n) {
		items, err := r.List(n, prefix+"defaultServiceExportTo")
		if err != nil {
			return err
		}
		mc.DefaultServiceExportTo = []string{}
		for i, item := range items {
			s, err := r.Str(item, source.Indexed(prefix+"defaultServiceExportTo", i))
			if err != nil {
				return err
			}
			mc.DefaultServiceExportTo = append(mc.DefaultServiceExportTo, strings.TrimSpace(s))
		}
		if len(mc.DefaultServiceExportTo) == 0 {
			// istiod's mesh loader (pkg/config/mesh ApplyMeshConfigDefaults,
			// release-1.31 eed52ebb66ad, and the 1.30-era one) unmarshals
			// into a proto, where an empty repeated field is nil: push_context.go
			// initDefaultExportMaps then takes the default, "*".
			mc.DefaultServiceExportTo = nil
		}
	}
	c.setMesh(mc)
	return nil
}

// setMesh records the mesh config; a second one replaces the first with a
// warning, since Istio reads one.
func (c *Config) setMesh(mc *MeshConfig) {
	if c.Mesh != nil && c.Mesh.From != mc.From {
		c.warn("two mesh configs (%s and %s); using the later", c.Mesh.From, mc.From)
	}
	c.Mesh = mc
}

func docPos(d inventory.Document) inventory.Position {
	return inventory.Position{Path: d.Path, Line: d.Node.Line}
}
