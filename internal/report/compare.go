package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Compare lines up the summaries of two reports by client and destination
// and explains each change of verdict in a sentence. It reads only the
// reports' summaries; the sidecar's upstream legs of intercepted
// connections are left out, their connections compared.
func Compare(before, after *Report) *Comparison {
	type pairKey struct{ client, destination Label }
	type pair struct {
		verdicts [2]VerdictSet
		// passthrough says, per side, whether its passthrough rows were
		// intercepted (one value for all, else zero).
		passthrough [2]Interception
		mixed       [2]bool
	}
	sides := map[pairKey]*pair{}
	var keys []pairKey
	for side, r := range []*Report{before, after} {
		for _, row := range r.Summary {
			if row.Role == RoleSidecarUpstream {
				// The sidecar's legs of connections counted as the
				// application's: compared there.
				continue
			}
			k := pairKey{row.Client, row.Destination}
			v, ok := sides[k]
			if !ok {
				v = &pair{}
				sides[k] = v
				keys = append(keys, k)
			}
			if row.Verdict == Passthrough {
				switch {
				case v.verdicts[side].Has(Passthrough) && v.passthrough[side] != row.Intercepted:
					v.mixed[side] = true
				default:
					v.passthrough[side] = row.Intercepted
				}
			}
			v.verdicts[side] = v.verdicts[side].Add(row.Verdict)
		}
	}
	slices.SortFunc(keys, func(x, y pairKey) int {
		return cmp.Or(x.client.Compare(y.client), x.destination.Compare(y.destination))
	})
	c := &Comparison{Schema: SchemaCompare, Before: before, After: after, Changes: []Change{}, Unchanged: []Change{}}
	for _, k := range keys {
		v := sides[k]
		ch := Change{Client: k.client, Destination: k.destination, Before: v.verdicts[0], After: v.verdicts[1]}
		after := v.passthrough[1]
		if v.mixed[1] {
			after = 0
		}
		ch.Meaning = meaning(ch, after)
		if ch.Before == ch.After {
			c.Unchanged = append(c.Unchanged, ch)
		} else {
			c.Changes = append(c.Changes, ch)
		}
	}
	return c
}

// meaning says in one plain sentence what a change means; intercepted
// says whether the after side's passthrough was intercepted by the sidecar
// (zero when the captures cannot tell).
func meaning(ch Change, intercepted Interception) string {
	head := fmt.Sprintf("%s → %s: %s → %s: ", ch.Client, ch.Destination, ch.Before, ch.After)
	d := ch.Destination.String()
	switch {
	case ch.Before == ch.After:
		return fmt.Sprintf("%s → %s: unchanged, %s: %s", ch.Client, d, ch.After, describeSet(ch.After, d))
	case ch.Before.Only(SidecarDNAT) && ch.After.Only(Passthrough) && intercepted == NotIntercepted:
		return head + fmt.Sprintf("the sidecar no longer intercepts the connections to %s (an excluded port or address range, or no sidecar); traffic leaves the mesh and kube-proxy picks the pod", d)
	case ch.Before.Only(SidecarDNAT) && ch.After.Only(Passthrough) && intercepted == Intercepted:
		return head + fmt.Sprintf("the sidecar no longer knows %s: it intercepts the connections and passes them through; traffic leaves the mesh and kube-proxy picks the pod", d)
	case ch.Before.Only(SidecarDNAT) && ch.After.Only(Passthrough):
		return head + fmt.Sprintf("the sidecar no longer knows %s; traffic leaves the mesh and kube-proxy picks the pod", d)
	case ch.Before.Only(Passthrough) && ch.After.Only(SidecarDNAT):
		return head + fmt.Sprintf("the sidecar now knows %s; traffic enters the mesh and the sidecar picks the endpoint", d)
	case ch.Before.Empty():
		return head + "new traffic, " + describeSet(ch.After, d)
	case ch.After.Empty():
		return head + "no such traffic in the after capture; before, " + describeSet(ch.Before, d)
	case ch.Before.Len() > 1 || ch.After.Len() > 1:
		return head + "the mix of paths changed; now " + describeSet(ch.After, d)
	}
	return head + "now " + describeSet(ch.After, d)
}

// describeSet says what a side's verdicts mean for traffic to d.
func describeSet(set VerdictSet, d string) string {
	var parts []string
	for v := range set.All() {
		parts = append(parts, describe(v, d))
	}
	return strings.Join(parts, "; and some ")
}

func describe(v Verdict, d string) string {
	switch v {
	case SidecarDNAT:
		return fmt.Sprintf("in the mesh: the sidecar picks the %s endpoint", d)
	case Passthrough:
		return fmt.Sprintf("outside the mesh: the sidecar passes it through and kube-proxy picks the %s pod", d)
	case PodDirect:
		return fmt.Sprintf("sent straight to pod %s, outside any service's load balancing", d)
	case Node:
		return fmt.Sprintf("sent to node address %s", d)
	case External:
		return fmt.Sprintf("sent to %s, an address the inventory does not know", d)
	case Unknown:
		return "the captures and inventory do not tell which path it took"
	case Istio:
		return "Istio's own traffic, outside the application's data path"
	}
	return v.String()
}
