package istio

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// WriteYAML writes the suggestion as Sidecar objects of the real schema,
// one YAML document each, with comments saying which traffic needs each
// host and, for Sidecars merged into existing ones, what the merge adds.
// Destinations outside the inventory follow as comments that suggest a
// ServiceEntry. The output is valid YAML; `kubectl apply -f` takes it.
func (sg *Suggestion) WriteYAML(w io.Writer) error {
	var docs []*yaml.Node
	for i := range sg.Sidecars {
		docs = append(docs, sg.Sidecars[i].node())
	}
	for _, d := range sg.Outside {
		if n := d.entryNode(); n != nil {
			docs = append(docs, n)
		}
	}
	for i, d := range docs {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	var tail []string
	if len(sg.Sidecars) == 0 {
		tail = append(tail, "No flow came from a known pod with a sidecar: there is nothing to propose.")
	}
	if len(sg.Outside) > 0 {
		tail = append(tail, "Destinations outside the inventory: no Sidecar host brings them into the mesh;",
			"a ServiceEntry for each would (and REGISTRY_ONLY blocks them without one); one is proposed above",
			"for each external one, by the name its traffic carried, else by its address:")
		for _, d := range sg.Outside {
			name := ""
			if d.Name != "" {
				name = ", named " + render.Clean(d.Name)
			}
			tail = append(tail, fmt.Sprintf("  %s (%s%s): %d %s from %s", d.Addr, d.Verdict, name, d.Flows, plural(d.Flows, "flow"), strings.Join(d.Clients, ", ")))
		}
	}
	if sg.Unattributed > 0 {
		tail = append(tail, fmt.Sprintf("%d %s from clients that are not known pods with a sidecar are not covered by any Sidecar.", sg.Unattributed, plural(sg.Unattributed, "flow")))
	}
	for _, line := range tail {
		if _, err := fmt.Fprintf(w, "# %s\n", line); err != nil {
			return err
		}
	}
	return nil
}

// node builds the YAML of one Sidecar: the existing object with hosts
// added, or a new one.
func (s *SuggestedSidecar) node() *yaml.Node {
	var doc *yaml.Node
	if s.Existing != nil && s.Existing.node != nil {
		doc = s.mergedNode()
	} else {
		doc = s.newNode()
	}
	var head []string
	switch {
	case s.Existing == nil:
		head = append(head, fmt.Sprintf("Proposed by pcapcheck suggest for the traffic of %s.", clientList(s.Clients)))
	case s.Note != "":
	default:
		added := s.Added()
		if len(added) == 0 {
			head = append(head, fmt.Sprintf("%s (%s) already covers the traffic of %s: nothing to add.", s.Existing.Ref, s.Existing.From, clientList(s.Clients)))
		} else {
			hosts := make([]string, len(added))
			for i, h := range added {
				hosts[i] = h.Host.String()
			}
			head = append(head, fmt.Sprintf("%s (%s) merged with the traffic of %s: adds %s.", s.Existing.Ref, s.Existing.From, clientList(s.Clients), strings.Join(hosts, ", ")))
		}
		for _, h := range s.Hosts {
			if !h.Added && h.CoveredBy != "" && h.CoveredBy != h.Host.String() && h.Host != controlPlaneHost {
				head = append(head, fmt.Sprintf("%s is already covered by %s.", h.Host, h.CoveredBy))
			}
		}
	}
	if s.Note != "" {
		head = append(head, s.Note)
	}
	doc.HeadComment = strings.Join(head, "\n")
	return doc
}

func (s *SuggestedSidecar) newNode() *yaml.Node {
	meta := mapping("name", scalar(s.Name), "namespace", scalar(s.Namespace))
	spec := mapping()
	if s.Selector != nil {
		labels := mapping()
		for _, k := range sortedKeys(s.Selector) {
			labels.Content = append(labels.Content, scalar(k), scalar(s.Selector[k]))
		}
		spec.Content = append(spec.Content, scalar("workloadSelector"), mapping("labels", labels))
	}
	hosts := &yaml.Node{Kind: yaml.SequenceNode}
	for _, h := range s.Hosts {
		hosts.Content = append(hosts.Content, hostNode(h, ""))
	}
	spec.Content = append(spec.Content, scalar("egress"), &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{mapping("hosts", hosts)}})
	return mapping("apiVersion", scalar("networking.istio.io/v1"), "kind", scalar("Sidecar"), "metadata", meta, "spec", spec)
}

// mergedNode returns the existing object, cleaned of what the API server
// adds, with the hosts it lacks appended to its first listener without a
// port (or to a new listener).
func (s *SuggestedSidecar) mergedNode() *yaml.Node {
	doc := clean(s.Existing.node)
	added := s.Added()
	if len(added) == 0 {
		return doc
	}
	spec := source.Field(doc, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		spec = mapping()
		doc.Content = append(doc.Content, scalar("spec"), spec)
	}
	egress := source.Field(spec, "egress")
	if egress == nil || egress.Kind != yaml.SequenceNode {
		egress = &yaml.Node{Kind: yaml.SequenceNode}
		spec.Content = append(spec.Content, scalar("egress"), egress)
	}
	var hosts *yaml.Node
	for _, l := range egress.Content {
		if source.Field(l, "port") == nil {
			if h := source.Field(l, "hosts"); h != nil && h.Kind == yaml.SequenceNode {
				hosts = h
				break
			}
		}
	}
	if hosts == nil {
		hosts = &yaml.Node{Kind: yaml.SequenceNode}
		egress.Content = append(egress.Content, mapping("hosts", hosts))
	}
	for _, h := range added {
		hosts.Content = append(hosts.Content, hostNode(h, "added: "))
	}
	return doc
}

func hostNode(h SuggestedHost, prefix string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: h.Host.String()}
	if h.Evidence != "" {
		n.LineComment = prefix + h.Evidence
	}
	return n
}

// clean copies an object read from kubectl output without the fields the
// API server sets (status, metadata.uid, resourceVersion, generation,
// creationTimestamp, managedFields, the last-applied annotation), in block
// style, apiVersion and kind first.
func clean(n *yaml.Node) *yaml.Node {
	c := deepCopy(n)
	drop(c, "status", "apiVersion", "kind")
	// apiVersion and kind first, as kubectl prints them, so that the
	// document reads as a Kubernetes object from its first line.
	api := "networking.istio.io/v1"
	if v := source.Field(n, "apiVersion"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
		api = v.Value
	}
	c.Content = append([]*yaml.Node{scalar("apiVersion"), scalar(api), scalar("kind"), scalar("Sidecar")}, c.Content...)
	if md := source.Field(c, "metadata"); md != nil {
		drop(md, "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")
		if ann := source.Field(md, "annotations"); ann != nil {
			drop(ann, "kubectl.kubernetes.io/last-applied-configuration")
			if len(ann.Content) == 0 {
				drop(md, "annotations")
			}
		}
	}
	return c
}

// maxCopyNodes bounds what deepCopy expands: a document of nested aliases
// ("billion laughs") would otherwise grow exponentially.
const maxCopyNodes = 1 << 16

func deepCopy(n *yaml.Node) *yaml.Node {
	budget := maxCopyNodes
	return copyNode(n, &budget)
}

func copyNode(n *yaml.Node, budget *int) *yaml.Node {
	n = source.Resolve(n)
	if *budget--; n == nil || *budget < 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	c := *n
	c.Content = nil
	if c.Kind != yaml.ScalarNode {
		c.Style &^= yaml.FlowStyle
	} else {
		// Values read from JSON are all quoted; the encoder quotes again
		// what needs it (a "*/*", a string that looks like a number).
		c.Style &^= yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle
	}
	c.Line, c.Column = 0, 0
	c.Anchor = "" // aliases are expanded
	for _, k := range n.Content {
		c.Content = append(c.Content, copyNode(k, budget))
	}
	return &c
}

func drop(m *yaml.Node, keys ...string) {
	for i := 0; i+1 < len(m.Content); {
		if slices.Contains(keys, m.Content[i].Value) {
			m.Content = slices.Delete(m.Content, i, i+2)
			continue
		}
		i += 2
	}
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func intScalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		m.Content = append(m.Content, scalar(k), kv[i+1].(*yaml.Node))
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func clientList(clients []string) string {
	if len(clients) == 0 {
		return "no client"
	}
	return strings.Join(clients, ", ")
}

// entryNode proposes a ServiceEntry for an external destination: its host
// the name the traffic carried (SNI or HTTP Host; resolution DNS), else a
// name made from the address with the address listed (resolution NONE);
// the port with the protocol the traffic showed; in the first client's
// namespace, exported there only when every client is of it. nil for a
// destination that is no external address (a pod, a node).
func (d *OutsideDestination) entryNode() *yaml.Node {
	if d.Verdict != report.External || len(d.Clients) == 0 {
		return nil
	}
	ns := d.Namespace
	exportTo := "."
	for _, c := range d.Clients {
		if other, _, _ := strings.Cut(c, "/"); other != ns {
			exportTo = "*"
		}
	}
	addr := d.Addr.Addr().Unmap()
	host, resolution, name := d.entryHost()
	protocol, portName := "TCP", "tcp-"
	switch {
	case d.SNI != "":
		protocol, portName = "TLS", "tls-"
	case d.HTTP:
		protocol, portName = "HTTP", "http-"
	}
	port := strconv.Itoa(int(d.Addr.Port()))
	spec := mapping(
		"hosts", seq(scalar(host)),
		"ports", seq(mapping("number", intScalar(port), "name", scalar(portName+port), "protocol", scalar(protocol))),
		"location", scalar("MESH_EXTERNAL"),
		"resolution", scalar(resolution),
		"exportTo", seq(scalar(exportTo)),
	)
	if resolution == "NONE" {
		spec.Content = append(spec.Content, scalar("addresses"), seq(scalar(addr.String())))
	}
	doc := mapping(
		"apiVersion", scalar("networking.istio.io/v1"),
		"kind", scalar("ServiceEntry"),
		"metadata", mapping("name", scalar(name), "namespace", scalar(ns)),
		"spec", spec,
	)
	doc.HeadComment = fmt.Sprintf("%s: %d %s from %s", render.Clean(d.Addr.String()), d.Flows, plural(d.Flows, "flow"), render.Clean(strings.Join(d.Clients, ", ")))
	return doc
}

// entryHost is the host, resolution and object name of the ServiceEntry
// proposed for d: the name its traffic carried (DNS), else one made from
// its address (NONE, with the address listed).
func (d *OutsideDestination) entryHost() (host, resolution, name string) {
	addr := d.Addr.Addr().Unmap()
	name = "external-" + strings.NewReplacer(".", "-", ":", "-").Replace(addr.String())
	if d.Name == "" || !validHostName(d.Name) {
		return name + ".external", "NONE", name
	}
	return d.Name, "DNS", "external-" + strings.ReplaceAll(strings.TrimPrefix(d.Name, "*."), ".", "-")
}

// validHostName reports whether a name the traffic carried can be a
// ServiceEntry host: letters, digits, '-', '.', an optional leading "*.".
func validHostName(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.HasPrefix(h, ".") && !strings.HasSuffix(h, ".")
}
