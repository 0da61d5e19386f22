package render

import (
	"iter"
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// flowsOf is the flows a renderer prints: the sequence it was given (a
// result's, made as they are read), else the report's collected ones.
func flowsOf(r *report.Report, flows iter.Seq[*report.Flow]) iter.Seq[*report.Flow] {
	if flows != nil {
		return flows
	}
	return r.All()
}

// collect holds every flow, for renderers that need them more than once.
func collect(r *report.Report, flows iter.Seq[*report.Flow]) []report.Flow {
	if flows == nil {
		return r.Flows
	}
	var out []report.Flow
	for f := range flows {
		out = append(out, *f)
	}
	return out
}

// all yields the flows of a slice.
func all(flows []report.Flow) iter.Seq[*report.Flow] {
	return func(yield func(*report.Flow) bool) {
		for i := range flows {
			if !yield(&flows[i]) {
				return
			}
		}
	}
}

// addrText spells an address as tables print it; "" for none.
func addrText(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return ap.String()
}
