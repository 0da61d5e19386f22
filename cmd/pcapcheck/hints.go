package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// inventoryHint says how to give pcapcheck an inventory, with the commands
// that make one.
const inventoryHint = `export the cluster's view and give it with --inventory: ` +
	`"kubectl get pods,svc,endpointslices -A -o wide > inv/kubectl.txt" and ` +
	`"istioctl proxy-config endpoint POD -n NAMESPACE > inv/istioctl.txt", then --inventory inv/`

// notes prints hints and warnings about a run on stderr, each at most once:
// the hints ("what to add") unless --quiet, the warnings always. They are
// about how the command was called, not about the captures, which the
// report's own warnings cover.
type notes struct {
	w     func() io.Writer
	quiet bool
	said  map[string]bool
}

func (r *readFlags) notes() *notes {
	return &notes{w: r.stderr, quiet: r.quiet, said: map[string]bool{}}
}

func (n *notes) print(kind, msg string) {
	if n.said[msg] || n.w == nil {
		return
	}
	n.said[msg] = true
	fmt.Fprintf(n.w(), "pcapcheck: %s: %s\n", kind, msg)
}

// hint says what to add for a better answer; --quiet silences it.
func (n *notes) hint(format string, args ...any) {
	if !n.quiet {
		n.print("hint", fmt.Sprintf(format, args...))
	}
}

// warn says that the command line is probably not what was meant.
func (n *notes) warn(format string, args ...any) { n.print("warning", fmt.Sprintf(format, args...)) }

// noInventory hints at the inventory when a report without one has flows
// whose verdict is unknown.
func (n *notes) noInventory(cl *cluster, reps ...*report.Report) {
	if cl.idx != nil {
		return
	}
	unknown, all := 0, 0
	for _, rep := range reps {
		for _, row := range rep.Summary {
			all += row.Flows
			if row.Verdict == report.Unknown {
				unknown += row.Flows
			}
		}
	}
	if unknown > 0 {
		n.hint("verdicts are unknown for %d of %s without an inventory: %s", unknown, plural(all, "flow"), inventoryHint)
	}
}

// untouched returns a warning when an inventory was given but no flow of
// rep has an address it knows: the capture was taken on another interface,
// or the inventory is of another cluster or another time.
func untouched(cl *cluster, rep *report.Report) string {
	if cl.idx == nil || len(rep.Summary) == 0 {
		return ""
	}
	known := func(a netip.Addr) bool { return a.IsValid() && cl.idx.Owner(a).Kind != inventory.OwnerNone }
	for _, row := range rep.Summary {
		if known(row.Client.Addr.Addr()) || !row.Client.Ref.IsZero() {
			return ""
		}
		for _, s := range row.Servers {
			if known(s.Addr.Addr()) || known(s.Via.Addr()) || len(cl.idx.Backends(s.Addr.Addr(), s.Addr.Port(), capture.TCP)) > 0 {
				return ""
			}
		}
	}
	return fmt.Sprintf("no flow touches an address of the inventory (%s, %s): wrong interface, or an inventory of another cluster or another time?",
		plural(rep.Inventory.Pods, "pod"), plural(rep.Inventory.Services, "service"))
}

// withWarning returns rep with w added to its warnings ("" adds nothing);
// rep's slices are shared with the result it came from, so it is copied.
func withWarning(rep *report.Report, w string) *report.Report {
	if w == "" {
		return rep
	}
	out := *rep
	out.Warnings = append(slices.Clip(rep.Warnings), w)
	return &out
}

// compareSides warns of a comparison whose sides are probably not what was
// meant: the same file on both sides, or BEFORE captured after AFTER.
func (n *notes) compareSides(before, after []string, reps [2]*report.Report) {
	for _, b := range before {
		for _, a := range after {
			if sameFile(a, b) {
				n.warn("%s is both BEFORE and AFTER: the comparison shows no change", a)
			}
		}
	}
	bFirst, _, bOK := span(reps[0])
	aFirst, _, aOK := span(reps[1])
	if bOK && aOK && bFirst.After(aFirst) {
		n.warn("BEFORE (from %s) was captured later than AFTER (from %s): are the two swapped?",
			bFirst.UTC().Format("2006-01-02 15:04:05"), aFirst.UTC().Format("2006-01-02 15:04:05"))
	}
}

// span is when a report's dated captures begin and end.
func span(rep *report.Report) (first, last time.Time, ok bool) {
	for _, c := range rep.Captures {
		if c.First == nil || c.TimeOfDayOnly {
			continue
		}
		if !ok || c.First.Before(first) {
			first = *c.First
		}
		if !ok || c.Last.After(last) {
			last = *c.Last
		}
		ok = true
	}
	return first, last, ok
}

func sameFile(a, b string) bool {
	if a == "-" || b == "-" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// plural spells a count with its noun: "1 flow", "2 flows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
