package source

import "go.yaml.in/yaml/v3"

// maxAliasHops bounds how many aliases Resolve follows.
const maxAliasHops = 16

// Resolve follows an alias ("*anchor") to the node it names; nil when the
// chain is longer than it should be.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// IsNull reports whether n is missing or YAML's null.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// Field returns the value of key in mapping m; nil when m is not a mapping
// or has no such key.
func Field(m *yaml.Node, key string) *yaml.Node {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := Resolve(m.Content[i]); k != nil && k.Value == key {
			return Resolve(m.Content[i+1])
		}
	}
	return nil
}

// At returns the node at a path of keys; nil when any is missing.
func At(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = Field(m, k)
	}
	return m
}

// FieldOf returns the value of the first of keys that m has, for documents
// that spell one field several ways (Envoy's camelCase and snake_case).
func FieldOf(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n := Field(m, k); n != nil {
			return n
		}
	}
	return nil
}
