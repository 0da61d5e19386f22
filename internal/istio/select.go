package istio

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Choice is the Sidecar that applies to a workload, and why.
type Choice struct {
	// Sidecar is nil when none applies: the sidecar then knows every service
	// exported to the workload's namespace.
	Sidecar *Sidecar
	// Why says in a sentence how it was chosen.
	Why string
	// Warnings name ambiguities: several candidates of the same rank,
	// labels the inventory does not know.
	Warnings []string
}

// SidecarFor chooses the Sidecar that applies to a workload of namespace ns
// with labels (nil when the inventory does not know them), as istiod does
// in pilot/pkg/model/push_context.go getSidecarScope and initSidecarScopes:
//
//  1. a Sidecar of ns whose workloadSelector's labels are all among the
//     workload's;
//  2. else the Sidecar of ns without workloadSelector;
//  3. else the root namespace's Sidecar without workloadSelector (a
//     root-namespace Sidecar with a selector applies only to the root
//     namespace's own workloads, through 1);
//  4. else none.
//
// Within a rank istiod takes the first after sorting by creationTimestamp,
// then name, then namespace (sortConfigByCreationTime in
// pilot/pkg/model/config.go); a second candidate of the same rank is named
// in a warning, since Istio calls that "undefined behavior".
func (c *Config) SidecarFor(ns string, labels map[string]string) Choice {
	var ch Choice
	sorted := slices.Clone(c.Sidecars)
	slices.SortStableFunc(sorted, func(a, b *Sidecar) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Namespace, b.Namespace))
	})
	var selected, unknown []*Sidecar
	for _, sc := range sorted {
		if sc.Namespace != ns || sc.Selector == nil {
			continue
		}
		switch {
		case labels == nil && len(sc.Selector) > 0:
			unknown = append(unknown, sc)
		case selects(sc.Selector, labels):
			selected = append(selected, sc)
		}
	}
	if len(unknown) > 0 {
		ch.Warnings = append(ch.Warnings, fmt.Sprintf(
			"the inventory does not list the labels of this %s workload, so whether %s selects it is not known; taken as not (give kubectl get pods --show-labels or -o yaml)",
			ns, names(unknown)))
	}
	if len(selected) > 0 {
		ch.Sidecar = selected[0]
		ch.Why = fmt.Sprintf("Sidecar %s selects it: workloadSelector %s matches its labels", selected[0].Describe(), selectorString(selected[0].Selector))
		ch.Warnings = append(ch.Warnings, tie(selected, "have a workloadSelector matching this workload")...)
		return ch
	}
	if own := without(sorted, ns); len(own) > 0 {
		ch.Sidecar = own[0]
		ch.Why = fmt.Sprintf("Sidecar %s is the namespace's Sidecar without workloadSelector", own[0].Describe())
		ch.Warnings = append(ch.Warnings, tie(own, "have no workloadSelector in namespace "+ns)...)
		return ch
	}
	root := c.RootNamespace()
	if rs := without(sorted, root); len(rs) > 0 {
		ch.Sidecar = rs[0]
		ch.Why = fmt.Sprintf("Sidecar %s is the mesh-wide default from the root namespace %s: namespace %s has no Sidecar of its own that applies", rs[0].Describe(), root, ns)
		ch.Warnings = append(ch.Warnings, tie(rs, "have no workloadSelector in the root namespace "+root)...)
		return ch
	}
	ch.Why = fmt.Sprintf("no Sidecar applies (none in %s selects it or lacks a workloadSelector, none without one in the root namespace %s): the sidecar knows every service exported to %s", ns, root, ns)
	return ch
}

// without returns the Sidecars of ns that have no workloadSelector, in order.
func without(sorted []*Sidecar, ns string) []*Sidecar {
	var out []*Sidecar
	for _, sc := range sorted {
		if sc.Namespace == ns && sc.Selector == nil {
			out = append(out, sc)
		}
	}
	return out
}

// tie warns when several Sidecars share the rank that decided.
func tie(candidates []*Sidecar, what string) []string {
	if len(candidates) < 2 {
		return nil
	}
	return []string{fmt.Sprintf("Sidecars %s all %s (Istio leaves this undefined); using %s, the oldest by creationTimestamp, then name, as istiod orders them",
		names(candidates), what, candidates[0].Ref)}
}

func names(scs []*Sidecar) string {
	parts := make([]string, len(scs))
	for i, sc := range scs {
		parts[i] = sc.Describe()
	}
	return strings.Join(parts, " and ")
}

// selects reports whether every selector label is among labels
// (labels.Instance.SubsetOf in pkg/config/labels).
func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
