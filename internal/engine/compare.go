package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Absent is what a comparison side says when it has no traffic of a
// client and destination.
const Absent = "absent"

// Compare lines up the summaries of two reports by client and destination
// and explains each change of verdict in a sentence. Streamed reports are
// collected first.
func Compare(before, after *Report) *Comparison {
	before.Collect()
	after.Collect()
	type pairKey struct{ client, destination string }
	sides := map[pairKey]*[2][]Verdict{}
	var keys []pairKey
	for side, r := range []*Report{before, after} {
		for _, row := range r.Summary {
			k := pairKey{row.Client, row.Destination}
			v, ok := sides[k]
			if !ok {
				v = &[2][]Verdict{}
				sides[k] = v
				keys = append(keys, k)
			}
			if !slices.Contains(v[side], row.Verdict) {
				v[side] = append(v[side], row.Verdict)
			}
		}
	}
	slices.SortFunc(keys, func(x, y pairKey) int {
		return cmp.Or(cmp.Compare(x.client, y.client), cmp.Compare(x.destination, y.destination))
	})
	c := &Comparison{Schema: SchemaCompare, Before: before, After: after, Changes: []Change{}, Unchanged: []Change{}}
	for _, k := range keys {
		v := sides[k]
		ch := Change{Client: k.client, Destination: k.destination, Before: verdictSet(v[0]), After: verdictSet(v[1])}
		ch.Meaning = meaning(ch)
		if ch.Before == ch.After {
			c.Unchanged = append(c.Unchanged, ch)
		} else {
			c.Changes = append(c.Changes, ch)
		}
	}
	return c
}

// verdictSet joins a side's verdicts in their fixed order, or says absent.
func verdictSet(vs []Verdict) string {
	if len(vs) == 0 {
		return Absent
	}
	slices.Sort(vs)
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, "+")
}

// meaning says in one plain sentence what a change means.
func meaning(ch Change) string {
	head := fmt.Sprintf("%s → %s: %s → %s: ", ch.Client, ch.Destination, ch.Before, ch.After)
	d := ch.Destination
	switch {
	case ch.Before == ch.After:
		return fmt.Sprintf("%s → %s: unchanged, %s: %s", ch.Client, d, ch.After, describeSet(ch.After, d))
	case ch.Before == SidecarDNAT.String() && ch.After == Passthrough.String():
		return head + fmt.Sprintf("the sidecar no longer knows %s; traffic leaves the mesh and kube-proxy picks the pod", d)
	case ch.Before == Passthrough.String() && ch.After == SidecarDNAT.String():
		return head + fmt.Sprintf("the sidecar now knows %s; traffic enters the mesh and the sidecar picks the endpoint", d)
	case ch.Before == Absent:
		return head + "new traffic, " + describeSet(ch.After, d)
	case ch.After == Absent:
		return head + "no such traffic in the after capture; before, " + describeSet(ch.Before, d)
	case strings.Contains(ch.Before, "+") || strings.Contains(ch.After, "+"):
		return head + "the mix of paths changed; now " + describeSet(ch.After, d)
	}
	return head + "now " + describeSet(ch.After, d)
}

// describeSet says what a side's verdicts mean for traffic to d.
func describeSet(set, d string) string {
	var parts []string
	for _, name := range strings.Split(set, "+") {
		v, err := ParseVerdict(name)
		if err != nil {
			continue
		}
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
	}
	return v.String()
}
