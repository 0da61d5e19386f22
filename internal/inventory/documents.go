package inventory

import (
	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// KindIstioConfig is the File.Kind of a file whose documents were all taken
// by Options.Documents (Istio Sidecar objects, a mesh config).
const KindIstioConfig = "istio-config"

// Options change what LoadWith reads. The zero value reads what Load reads.
type Options struct {
	// Documents, when set, is offered every JSON or YAML document of a kind
	// the inventory does not read itself, including documents that name no
	// kind (a mesh config fragment, Helm values). A document it takes is not
	// counted among the skipped kinds, and a file whose only documents it
	// took is read as KindIstioConfig instead of being unrecognized. An error
	// it returns stops the load like any other, and is named the
	// inventory's (Prefix "inventory") when it names no reader itself.
	//
	// This is how package mesh picks up Sidecar objects and mesh configs that
	// sit in an --inventory directory next to the kubectl listings.
	Documents func(Document) (taken bool, err *source.Error)
}

// Document is one JSON or YAML document (or List item) that the inventory
// does not read itself. Node is the object's mapping node, with the line and
// column of every value, so that errors about it can point into the file.
type Document struct {
	Path string
	// Kind is the object's kind ("Sidecar", "ConfigMap"), or "" when it
	// names none.
	Kind string
	Node *yaml.Node
}

// other offers a document of a kind the inventory does not read to
// Options.Documents, and counts it as skipped when not taken.
func (p *objParser) other(n *yaml.Node, kind string) *source.Error {
	if read := p.b.opts.Documents; read != nil {
		taken, err := read(Document{Path: p.Path, Kind: kind, Node: n})
		if err != nil {
			if err.Prefix == "" {
				err.Prefix = prefix
			}
			return err
		}
		if taken {
			p.taken = true
			return nil
		}
	}
	if kind == "" {
		kind = "(no kind)"
	}
	p.skipped[kind]++
	return nil
}

// ParseWith is Parse with options: see Options.
func ParseWith(opts Options, path string, data []byte) (*Inventory, error) {
	return parseWith(opts, path, data)
}
