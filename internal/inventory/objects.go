package inventory

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Kubernetes objects come from `kubectl get ... -o json` or `-o yaml`: one
// object, a List (kind "List", "PodList", ... : any object with items), or,
// in YAML, several documents. The kinds read are Pod, Service,
// EndpointSlice (discovery.k8s.io v1 and v1beta1), Endpoints and Node; other
// kinds are counted and named in one warning per file. Envoy cluster
// statuses (istioctl proxy-config endpoint -o json) are read here too, since
// they come in the same syntax.

// objParser reads the documents of one JSON or YAML file.
type objParser struct {
	source.Reader
	b       *builder
	skipped map[string]int
	// found is set by anything that makes the file an inventory: an object
	// of a kind read, an empty List, Envoy cluster statuses.
	found    bool
	istioctl bool
	// taken is set when Options.Documents took a document.
	taken bool
}

// decodeDocuments reads every document of a JSON or YAML file into nodes.
// On a syntax error it returns the documents before it with the error.
func decodeDocuments(path string, data []byte, f format) (docs []*yaml.Node, err *source.Error) {
	read := source.Documents
	if f == formatJSON {
		read = source.JSONDocuments
	}
	for n, derr := range read(data) {
		var se *source.SyntaxError
		if errors.As(derr, &se) {
			return docs, errAt(path, se.Line, se.Column, ErrSyntax, "malformed %s: %s", formatName(f), se.Msg)
		}
		docs = append(docs, n)
	}
	return docs, nil
}

func formatName(f format) string {
	if f == formatJSON {
		return "JSON"
	}
	return "YAML"
}

// parseDocuments reads decoded documents into b and returns the file's kind.
// It fails with ErrUnrecognized when no document holds inventory.
func parseDocuments(b *builder, path string, docs []*yaml.Node, f format) (string, error) {
	p := &objParser{Reader: source.Reader{Prefix: prefix, Path: path, Invalid: ErrInvalid}, b: b, skipped: map[string]int{}}
	for _, d := range docs {
		if err := p.root(d); err != nil {
			return p.kind(f), err
		}
	}
	if !p.found && p.taken {
		if len(p.skipped) > 0 {
			b.warn("%s: skipped %s: not inventory", path, p.skippedList())
		}
		return KindIstioConfig, nil
	}
	if !p.found {
		what := "no Kubernetes objects"
		if len(p.skipped) > 0 {
			what = "only " + p.skippedList()
		}
		return "", errAt(path, 0, 0, ErrUnrecognized, "holds %s: expected pods, services, endpoints, nodes or istioctl endpoints", what)
	}
	if len(p.skipped) > 0 {
		b.warn("%s: skipped %s: not inventory", path, p.skippedList())
	}
	return p.kind(f), nil
}

func (p *objParser) kind(f format) string {
	switch {
	case p.istioctl && f == formatJSON:
		return KindIstioctlJSON
	case p.istioctl:
		return KindIstioctlYAML
	case f == formatJSON:
		return KindKubernetesJSON
	}
	return KindKubernetesYAML
}

func (p *objParser) skippedList() string {
	kinds := make([]string, 0, len(p.skipped))
	for k := range p.skipped {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%s (%d)", k, p.skipped[k])
	}
	return strings.Join(kinds, ", ")
}

// root reads one document.
func (p *objParser) root(d *yaml.Node) *source.Error {
	n := d
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	n = source.Resolve(n)
	switch {
	case source.IsNull(n):
		return nil // an empty document, as after a trailing "---"
	case n.Kind == yaml.MappingNode && source.FieldOf(n, "cluster_statuses", "clusterStatuses") != nil:
		return p.clusterStatuses(source.FieldOf(n, "cluster_statuses", "clusterStatuses"), n)
	case n.Kind == yaml.SequenceNode && looksLikeClusterStatuses(n):
		return p.clusterStatuses(n, n)
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := p.object(item, "", source.Indexed("document", i)); err != nil {
				return err
			}
		}
		return nil
	case n.Kind == yaml.MappingNode && source.Field(n, "items") != nil:
		return p.listing(n)
	}
	return p.object(n, "", "document")
}

// looksLikeClusterStatuses reports whether a top-level list is what istioctl
// proxy-config endpoint -o json prints: Envoy ClusterStatus objects, each
// with a name and host statuses (an empty list is that too: no endpoint
// matched).
func looksLikeClusterStatuses(n *yaml.Node) bool {
	if len(n.Content) == 0 {
		return true
	}
	first := source.Resolve(n.Content[0])
	return source.Field(first, "kind") == nil && source.Field(first, "name") != nil &&
		source.FieldOf(first, "hostStatuses", "host_statuses", "addedViaApi", "added_via_api") != nil
}

// listing reads a List: kind "List" with items that say their kind, or a typed
// list ("PodList") whose items may not.
func (p *objParser) listing(n *yaml.Node) *source.Error {
	listKind, err := p.Str(source.Field(n, "kind"), "kind")
	if err != nil {
		return err
	}
	itemKind := ""
	if listKind != "List" {
		itemKind = strings.TrimSuffix(listKind, "List")
	}
	items, err := p.List(source.Field(n, "items"), "items")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		p.found = true // an empty listing is an inventory that knows nothing
	}
	for i, item := range items {
		if err := p.object(item, itemKind, source.Indexed("items", i)); err != nil {
			return err
		}
	}
	return nil
}

// object reads one Kubernetes object; defaultKind is the kind of a typed
// list's items.
func (p *objParser) object(n *yaml.Node, defaultKind, what string) *source.Error {
	n = source.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		p.skipped["(not an object)"]++
		return nil
	}
	kind, err := p.Str(source.Field(n, "kind"), what+".kind")
	if err != nil {
		return err
	}
	if kind == "" {
		kind = defaultKind
	}
	var read func(*yaml.Node) *source.Error
	switch kind {
	case "Pod":
		read = p.pod
	case "Service":
		read = p.service
	case "EndpointSlice":
		read = p.endpointSlice
	case "Endpoints":
		read = p.endpoints
	case "Node":
		read = p.node
	case KindSidecarRegistry:
		read = p.sidecarRegistry
	default:
		return p.other(n, kind)
	}
	p.found = true
	p.Near = n
	return read(n)
}

// meta reads metadata.name and metadata.namespace.
func (p *objParser) meta(n *yaml.Node) (Ref, *source.Error) {
	return ReadMeta(p.Reader, n, "object")
}

// ReadMeta reads the metadata.name and metadata.namespace of the Kubernetes
// object n with r, for this package and for readers of the documents it
// hands over (Options.Documents). An object without a name is an error at
// n that calls it what ("object", "Sidecar"); a namespace it does not state
// is "".
func ReadMeta(r source.Reader, n *yaml.Node, what string) (Ref, *source.Error) {
	md := source.Field(n, "metadata")
	if err := r.Mapping(md, "metadata"); err != nil {
		return Ref{}, err
	}
	name, err := r.Str(source.Field(md, "name"), "metadata.name")
	if err != nil {
		return Ref{}, err
	}
	if name == "" {
		return Ref{}, r.Invalidf(n, "expected metadata.name in the %s at this line", what)
	}
	ns, err := r.Str(source.Field(md, "namespace"), "metadata.namespace")
	return Ref{Namespace: ns, Name: name}, err
}

func (p *objParser) position(n *yaml.Node) Position {
	return Position{Path: p.Path, Line: n.Line}
}
