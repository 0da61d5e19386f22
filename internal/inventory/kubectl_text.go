package inventory

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// tableKind is what a table lists, told by its header.
type tableKind uint8

const (
	tableNone tableKind = iota
	tablePods
	tableServices
	tableNodes
	tableEndpointSlices
	tableEndpoints
	tableIstioctl
)

// tableKindOf tells a table's kind from its header names (kubectl's column
// definitions in pkg/printers/internalversion/printers.go, istioctl's in
// istioctl/pkg/writer/envoy/clusters/clusters.go):
//
//	pods            NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE READINESS GATES]
//	services        NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR]
//	nodes           NAME STATUS ROLES AGE VERSION [INTERNAL-IP EXTERNAL-IP OS-IMAGE ...]
//	endpointslices  NAME ADDRESSTYPE PORTS ENDPOINTS AGE
//	endpoints       NAME ENDPOINTS AGE
//	istioctl        ENDPOINT [STATUS] [OUTLIER CHECK] CLUSTER
//
// each possibly led by NAMESPACE (-A) and ended by LABELS (--show-labels).
func tableKindOf(cols []column) tableKind {
	has := make(map[string]bool, len(cols))
	for _, c := range cols {
		has[c.name] = true
	}
	switch {
	case has["ENDPOINT"] && has["CLUSTER"]:
		return tableIstioctl
	case !has["NAME"]:
		return tableNone
	case has["ADDRESSTYPE"] && has["ENDPOINTS"]:
		return tableEndpointSlices
	case has["TYPE"] && has["CLUSTER-IP"]:
		return tableServices
	case has["READY"] && has["STATUS"] && has["RESTARTS"]:
		return tablePods
	case has["ROLES"] && has["VERSION"]:
		return tableNodes
	case has["ENDPOINTS"] && len(cols) == 3+btoi(has["NAMESPACE"])+btoi(has["LABELS"]):
		return tableEndpoints
	}
	return tableNone
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (k tableKind) String() string {
	switch k {
	case tablePods:
		return "pods"
	case tableServices:
		return "services"
	case tableNodes:
		return "nodes"
	case tableEndpointSlices:
		return "endpointslices"
	case tableEndpoints:
		return "endpoints"
	case tableIstioctl:
		return "istioctl endpoints"
	}
	return "unknown"
}

// row is one row of a table, its cells found by column name.
type row struct {
	t     *table
	cells []cell
	line  int
}

// get returns the cell under the named column; ok is false when the header
// has no such column.
func (r row) get(name string) (cell, bool) {
	i, ok := r.t.index[name]
	if !ok {
		return cell{}, false
	}
	return r.cells[i], true
}

// value returns the text under the named column, "" when the column is
// missing or the cell is a placeholder such as "<none>".
func (r row) value(name string) string {
	c, _ := r.get(name)
	if isPlaceholder(c.text) {
		return ""
	}
	return c.text
}

// fail builds an error pointing at the cell under the named column.
func (r row) fail(name string, kind error, format string, args ...any) *source.Error {
	c, _ := r.get(name)
	return errAt(r.t.path, r.line, c.start+1, kind, format, args...)
}

// isPlaceholder reports whether a cell says "no value": kubectl prints
// <none>, <pending>, <unset>, <unknown> or <invalid>.
func isPlaceholder(s string) bool {
	return s == "" || strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")
}

// name returns the NAME cell without a "kind/" prefix, which kubectl adds
// when it lists several kinds ("pod/details-v1-...", "service/reviews").
func (r row) name() (string, *source.Error) {
	c, _ := r.get("NAME")
	name := c.text
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" || isPlaceholder(name) {
		return "", r.fail("NAME", ErrSyntax, "expected an object name under NAME, found %s", quote(c.text))
	}
	return name, nil
}

func (r row) ref() (Ref, *source.Error) {
	name, err := r.name()
	ns := r.t.namespace
	if v := r.value("NAMESPACE"); v != "" {
		ns = v
	}
	return Ref{Namespace: ns, Name: name}, err
}

func (r row) position() Position { return Position{Path: r.t.path, Line: r.line} }

func (r row) pod() (*Pod, *source.Error) {
	ref, err := r.ref()
	if err != nil {
		return nil, err
	}
	p := &Pod{Ref: ref, Ready: r.value("READY"), Status: r.value("STATUS"), Node: r.value("NODE"), From: r.position()}
	if ip := r.value("IP"); ip != "" {
		a, perr := netip.ParseAddr(ip)
		if perr != nil {
			return nil, r.fail("IP", ErrInvalid, "expected an IP address or <none> under IP, found %s", quote(ip))
		}
		p.IPs = []netip.Addr{plain(a)}
	}
	if c, ok := r.get("LABELS"); ok && c.text != "" {
		labels, lerr := r.keyValues("LABELS")
		if lerr != nil {
			return nil, lerr
		}
		p.Labels = labels
	}
	return p, nil
}

func (r row) service() (*Service, *source.Error) {
	ref, err := r.ref()
	if err != nil {
		return nil, err
	}
	s := &Service{Ref: ref, Type: r.value("TYPE"), From: r.position()}
	switch ip := r.value("CLUSTER-IP"); ip {
	case "":
	case "None":
		s.Headless = true
	default:
		a, perr := netip.ParseAddr(ip)
		if perr != nil {
			return nil, r.fail("CLUSTER-IP", ErrInvalid, "expected an IP address, None or <none> under CLUSTER-IP, found %s", quote(ip))
		}
		s.ClusterIPs = []netip.Addr{plain(a)}
	}
	ext, eerr := r.externalIPs()
	if eerr != nil {
		return nil, eerr
	}
	s.ExternalIPs = ext
	ports, perr := r.servicePorts()
	if perr != nil {
		return nil, perr
	}
	s.Ports = ports
	if c, ok := r.get("SELECTOR"); ok && c.text != "" { // a missing cell is unknown, "<none>" is empty
		sel, serr := r.keyValues("SELECTOR")
		if serr != nil {
			return nil, serr
		}
		s.Selector = sel
	}
	return s, nil
}

// hostname matches the DNS names kubectl shows under EXTERNAL-IP for an
// ExternalName service or a load balancer known by name.
var hostname = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$`)

func (r row) externalIPs() ([]netip.Addr, *source.Error) {
	var out []netip.Addr
	for _, s := range splitList(r.value("EXTERNAL-IP")) {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, plain(a))
			continue
		}
		if !hostname.MatchString(s) || strings.Count(s, ".") == 3 && strings.IndexFunc(s, isLetter) < 0 {
			return nil, r.fail("EXTERNAL-IP", ErrInvalid, "expected IP addresses, host names or <none> under EXTERNAL-IP, found %s", quote(s))
		}
	}
	return out, nil
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// servicePorts reads PORT(S): "9080/TCP", "80:30080/TCP", "53/UDP,53/TCP".
func (r row) servicePorts() ([]ServicePort, *source.Error) {
	var out []ServicePort
	for _, s := range splitList(r.value("PORT(S)")) {
		nums, proto, ok := strings.Cut(s, "/")
		port, nodePort, hasNode := strings.Cut(nums, ":")
		p, perr := parsePort(port)
		np, nerr := parsePort(nodePort)
		if !ok || perr != nil || p == 0 || hasNode && (nerr != nil || np == 0) || !isProtocol(proto) {
			return nil, r.fail("PORT(S)", ErrInvalid,
				"expected ports like 9080/TCP or 80:30080/TCP under PORT(S), found %s", quote(s))
		}
		out = append(out, ServicePort{Port: p, NodePort: np, Protocol: proto})
	}
	return out, nil
}

// keyValues reads a LABELS or SELECTOR cell: "app=reviews,version=v1", or
// "<none>" for an empty (not unknown) set.
func (r row) keyValues(col string) (map[string]string, *source.Error) {
	out := map[string]string{}
	for _, kv := range splitList(r.value(col)) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, r.fail(col, ErrInvalid, "expected key=value pairs under %s, found %s", col, quote(kv))
		}
		out[k] = v
	}
	return out, nil
}

func (r row) node() (*Node, *source.Error) {
	name, err := r.name()
	if err != nil {
		return nil, err
	}
	n := &Node{Name: name, From: r.position()}
	for _, col := range []string{"INTERNAL-IP", "EXTERNAL-IP"} {
		for _, s := range splitList(r.value(col)) {
			a, perr := netip.ParseAddr(s)
			if perr != nil {
				return nil, r.fail(col, ErrInvalid, "expected an IP address or <none> under %s, found %s", col, quote(s))
			}
			n.IPs = append(n.IPs, plain(a))
		}
	}
	return n, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parsePort(s string) (uint16, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	return uint16(n), err
}

func isProtocol(s string) bool {
	return s == "TCP" || s == "UDP" || s == "SCTP"
}
