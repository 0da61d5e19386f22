package render

import (
	"bytes"
	"cmp"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// exportToAnnotation is the Service annotation that hides a service from
// other namespaces, named where the scope table says what hid a service.
const exportToAnnotation = "networking.istio.io/exportTo"

// scopeTable prints a scope as `istioctl proxy-config endpoint` lists a
// sidecar's registry, one line per endpoint sorted by address, after a
// header that says which configuration decided it. Clusters of no known
// endpoint come last, with "-".
func scopeTable(w io.Writer, s *report.Scope) error {
	var b bytes.Buffer
	pod := Clean(s.Pod.String())
	if len(s.PodIPs) > 0 {
		ips := make([]string, len(s.PodIPs))
		for i, ip := range s.PodIPs {
			ips[i] = ip.String()
		}
		pod += " (" + strings.Join(ips, ", ") + ")"
	}
	sidecar := "none"
	if !s.Sidecar.IsZero() {
		sidecar = Clean(s.Sidecar.String()) + " (" + Clean(s.SidecarFrom) + ")"
	}
	head := [][]string{
		{"POD", pod},
		{"SIDECAR", sidecar},
		{"WHY", Clean(s.Why)},
		{"EGRESS", Clean(strings.Join(s.Egress, ", "))},
		{"OUTBOUND", s.OutboundTrafficPolicy + " (" + Clean(s.PolicyFrom) + ")"},
	}
	if s.IstioVersion != "" {
		head = append(head, []string{"ISTIO", Clean(s.IstioVersion) + " (" + Clean(s.IstioVersionFrom) + ")"})
	}
	for _, n := range s.Notes {
		head = append(head, []string{"NOTE", Clean(n)})
	}
	if len(s.Hidden) > 0 {
		hidden := make([]string, len(s.Hidden))
		for i, h := range s.Hidden {
			hidden[i] = h.String()
		}
		head = append(head, []string{"HIDDEN", Clean(strings.Join(hidden, ", ")) + " (by " + exportToAnnotation + ")"})
	}
	head = append(head, []string{"CLUSTERS", strconv.Itoa(len(s.Clusters))})
	writeColumns(&b, nil, head)

	type line struct {
		ep      netip.AddrPort
		cluster string
	}
	var lines []line
	var empty []string
	for _, c := range s.Clusters {
		if len(c.Endpoints) == 0 {
			empty = append(empty, c.Name)
			continue
		}
		for _, e := range c.Endpoints {
			lines = append(lines, line{e, c.Name})
		}
	}
	slices.SortFunc(lines, func(a, b line) int { return cmp.Or(a.ep.Compare(b.ep), strings.Compare(a.cluster, b.cluster)) })
	b.WriteString("\n")
	var eps [][]string
	for _, l := range lines {
		eps = append(eps, []string{l.ep.String(), Clean(l.cluster)})
	}
	for _, c := range empty {
		eps = append(eps, []string{"-", Clean(c)})
	}
	writeColumns(&b, []string{"ENDPOINT", "CLUSTER"}, eps)
	warningsSection(&b, s.Warnings)
	_, err := w.Write(trimLines(b.Bytes()))
	return err
}
