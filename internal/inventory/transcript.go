package inventory

import (
	"strings"
)

// A transcript is text pasted from a terminal: prompt lines ("$ kubectl -n
// bookinfo get pod -o wide", "$ istioctl proxy-config endpoint my-shell"),
// each followed by what the command printed. A bare table saved to a file is
// a transcript without prompts.
//
// A table starts at a header line of a known kind and runs until a blank
// line, a prompt, a Markdown fence or another header. Lines "..." (a listing
// cut short by whoever pasted it) are skipped. Anything outside a table is
// prose or output of other commands and is ignored. A prompt line sets what
// the tables after it are of: the namespace of a kubectl listing (-n NS,
// --namespace NS, --namespace=NS; none for -A, whose tables have a NAMESPACE
// column), and the pod an istioctl endpoint table was taken from.

// table is the table being read, with what the command before it said.
type table struct {
	path  string
	kind  tableKind
	cols  []column
	index map[string]int
	// tabbed is set when tabs separate the header's columns.
	tabbed bool
	// namespace is the namespace of the rows when the table has no NAMESPACE
	// column; "" when unknown.
	namespace string
	// registry and clusters are filled by an istioctl table.
	registry *Registry
	clusters map[string]int
	warn     func(format string, args ...any)
}

func (t *table) truncatedList(kind string, ref Ref, line, more int) {
	if more > 0 {
		t.warn("%s:%d: kubectl cut the list of %s %s short (%d more not shown); -o json lists them all",
			t.path, line, kind, ref, more)
	}
}

// textParser reads a transcript or a bare table.
type textParser struct {
	path     string
	b        *builder
	cmd      command
	t        *table
	kubectl  bool // a kubectl table was read
	istioctl bool // an istioctl table was read
	// noNamespace is set once the file was warned of a table whose
	// namespace cannot be known.
	noNamespace bool
}

// parseText reads text into b and returns the file's kind. On error, what
// was read before the bad line stays in b.
func parseText(b *builder, path, text string) (string, error) {
	p := &textParser{path: path, b: b}
	n := 0
	for line := range strings.Lines(text) {
		n++
		if err := p.line(strings.TrimRight(line, "\r\n"), n); err != nil {
			return p.kind(), err
		}
	}
	return p.kind(), nil
}

func (p *textParser) kind() string {
	switch {
	case p.kubectl && p.istioctl:
		return KindTranscript
	case p.istioctl:
		return KindIstioctlTable
	}
	return KindKubectlText
}

func (p *textParser) line(line string, n int) error {
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		p.t = nil
		return nil
	case trimmed == "..." || trimmed == "…":
		return nil
	case strings.HasPrefix(trimmed, "```"):
		p.t = nil
		return nil
	}
	if cmd, ok := commandOf(line); ok {
		p.t = nil
		p.command(cmd, n)
		return nil
	}
	if cols := parseHeader(line); cols != nil {
		p.t = nil
		if k := tableKindOf(cols); k != tableNone {
			p.open(k, cols, line, n)
		} else {
			p.unknownHeader(line, n)
		}
		return nil
	}
	if p.t == nil {
		return nil
	}
	return p.row(line, n)
}

func (p *textParser) command(cmd string, n int) {
	p.cmd = parseCommand(cmd)
	c := p.cmd
	if c.tool == toolKubectl && c.verb == "get" && c.resource != "" && !inventoryResource(c.resource) {
		p.b.warn("%s:%d: skipped the output of %s: %s is not an inventory kind", p.path, n, quote(cmd), c.resource)
	}
}

// unknownHeader warns of a table that is not read, unless the command
// before it already said why.
func (p *textParser) unknownHeader(line string, n int) {
	switch {
	case p.cmd.tool == toolKubectl && p.cmd.verb == "get" && p.cmd.resource != "" && !inventoryResource(p.cmd.resource):
		return // warned at the command line
	case p.cmd.tool == toolIstioctl && !p.cmd.endpoints:
		p.b.warn("%s:%d: skipped a table of istioctl output that is not `istioctl proxy-config endpoint`: %s", p.path, n, quote(strings.Join(strings.Fields(line), " ")))
		return
	}
	p.b.warn("%s:%d: skipped a table whose header is not one of kubectl's pods, services, nodes, endpoints or endpointslices, nor istioctl proxy-config endpoint's: %s",
		p.path, n, quote(strings.Join(strings.Fields(line), " ")))
}

// namespaceUnknown warns, once per file, of a table of namespaced objects
// whose namespace neither a NAMESPACE column nor the command line says.
func (p *textParser) namespaceUnknown(t *table, n int) {
	if p.noNamespace || t.namespace != "" || t.kind == tableNodes || t.kind == tableIstioctl {
		return
	}
	if _, ok := t.index["NAMESPACE"]; ok {
		return
	}
	p.noNamespace = true
	said := "a command line before the table"
	if p.cmd.tool == toolKubectl {
		said = "the command line"
	}
	p.b.warn("%s:%d: the namespace of these %s is unknown: neither %s nor a NAMESPACE column says it; each matches its name in any namespace (list with -n NAMESPACE or -A)",
		p.path, n, t.kind, said)
}

func (p *textParser) open(k tableKind, cols []column, line string, n int) {
	t := &table{path: p.path, kind: k, cols: cols, index: make(map[string]int, len(cols)), warn: p.b.warn,
		tabbed: strings.ContainsRune(line, '\t')}
	for i, c := range cols {
		t.index[c.name] = i
	}
	if p.cmd.tool == toolKubectl {
		t.namespace = p.cmd.namespace
	}
	if k == tableIstioctl {
		t.registry = &Registry{From: Position{Path: p.path, Line: n}}
		if p.cmd.tool == toolIstioctl && p.cmd.endpoints {
			t.registry.Proxy = p.cmd.proxy
			if p.cmd.unnamed != "" {
				p.b.warn("%s:%d: the istioctl listing is of %s, not of a named pod: its endpoints are read, but not which sidecar knows them; write the pod's name in its place (istioctl proxy-config endpoint POD -n NAMESPACE)",
					p.path, n, quote(p.cmd.unnamed))
			}
		}
		t.clusters = map[string]int{}
		p.b.inv.Registries = append(p.b.inv.Registries, t.registry)
		p.istioctl = true
	} else {
		p.kubectl = true
		p.namespaceUnknown(t, n)
	}
	p.t = t
}

func (p *textParser) row(line string, n int) error {
	cells, rerr := splitRow(p.t.cols, line, p.t.tabbed)
	if rerr != nil {
		return errAt(p.path, n, rerr.col+1, ErrSyntax, "%s", rerr.msg)
	}
	r := row{t: p.t, cells: cells, line: n}
	switch p.t.kind {
	case tablePods:
		pod, err := r.pod()
		if err != nil {
			return err
		}
		p.b.addPod(pod, false)
	case tableServices:
		svc, err := r.service()
		if err != nil {
			return err
		}
		p.b.addService(svc, false)
	case tableNodes:
		node, err := r.node()
		if err != nil {
			return err
		}
		p.b.addNode(node)
	case tableEndpointSlices, tableEndpoints:
		read := r.endpointSlice
		if p.t.kind == tableEndpoints {
			read = r.endpoints
		}
		eps, err := read()
		if err != nil {
			return err
		}
		for _, e := range eps {
			p.b.addEndpoint(e)
		}
	case tableIstioctl:
		if err := r.istioctlEndpoint(); err != nil {
			return err
		}
	}
	return nil
}
