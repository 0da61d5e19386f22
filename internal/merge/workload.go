package merge

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Kubernetes names a ReplicaSet's pods NAME-XXXXX and a Deployment's
// ReplicaSets NAME-HASH, both from the alphabet of
// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString (no vowels, no 0, 1
// or 3), the hash of up to 10 characters; DaemonSets' and Jobs' pods too
// end in -XXXXX.
var (
	podSuffix  = regexp.MustCompile(`-[bcdfghjklmnpqrstvwxz2456789]{5}$`)
	hashSuffix = regexp.MustCompile(`-[bcdfghjklmnpqrstvwxz2456789]{6,10}$`)
)

// Workload names the workload a pod belongs to by its generated name:
// reviews-v2-65cb66b45c-dtwjd is bookinfo/reviews-v2, a DaemonSet's
// agent-x7k2p is agent; a pod whose name was not generated (my-shell, a
// StatefulSet's web-0) is its own workload. A name that merely ends like a
// generated one is taken for one.
func Workload(pod inventory.Ref) inventory.Ref {
	name := pod.Name
	if loc := podSuffix.FindStringIndex(name); loc != nil && loc[0] > 0 {
		name = name[:loc[0]]
		if loc := hashSuffix.FindStringIndex(name); loc != nil && loc[0] > 0 {
			name = name[:loc[0]]
		}
	}
	return inventory.Ref{Namespace: pod.Namespace, Name: name}
}

// rowKey groups summary rows by workload.
type rowKey struct {
	client, destination report.Label
	verdict             report.Verdict
	role                report.Role
	intercepted         report.Interception
}

// byWorkload folds summary rows whose clients are pods of one workload
// into one row, whose client is the workload.
func byWorkload(rows []report.SummaryRow) []report.SummaryRow {
	at := map[rowKey]int{}
	var out []report.SummaryRow
	for _, r := range rows {
		if !r.Client.Ref.IsZero() {
			r.Client.Ref = Workload(r.Client.Ref)
		}
		k := rowKey{r.Client, r.Destination, r.Verdict, r.Role, r.Intercepted}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			r.Servers = slices.Clone(r.Servers)
			r.Nodes = slices.Clone(r.Nodes)
			out = append(out, r)
			continue
		}
		o := &out[i]
		o.Flows += r.Flows
		o.Ambiguous += r.Ambiguous
		o.Packets += r.Packets
		o.Bytes += r.Bytes
		for _, s := range r.Servers {
			if !slices.Contains(o.Servers, s) {
				o.Servers = append(o.Servers, s)
			}
		}
		for _, n := range r.Nodes {
			if !slices.Contains(o.Nodes, n) {
				o.Nodes = append(o.Nodes, n)
			}
		}
		for p := range pathsOf(r.Expected) {
			o.Expected = o.Expected.Add(p)
		}
		if r.ExpectedWhy != "" && !slices.Contains(strings.Split(o.ExpectedWhy, "; and "), r.ExpectedWhy) {
			if o.ExpectedWhy != "" {
				o.ExpectedWhy += "; and "
			}
			o.ExpectedWhy += r.ExpectedWhy
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Servers, func(x, y report.Server) int { return x.Addr.Compare(y.Addr) })
		slices.Sort(out[i].Nodes)
	}
	slices.SortFunc(out, func(x, y report.SummaryRow) int {
		return cmp.Or(x.Client.Compare(y.Client), x.Destination.Compare(y.Destination), cmp.Compare(x.Verdict, y.Verdict),
			cmp.Compare(x.Role, y.Role), cmp.Compare(x.Intercepted, y.Intercepted))
	})
	return out
}

// pathsOf yields the paths of a set.
func pathsOf(s report.PathSet) func(func(report.Path) bool) {
	return func(yield func(report.Path) bool) {
		for _, p := range []report.Path{report.ExpectSidecarDNAT, report.ExpectPassthrough, report.ExpectBlocked, report.ExpectEgress} {
			if s.Add(p) == s && !yield(p) {
				return
			}
		}
	}
}
