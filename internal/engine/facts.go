package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// captureFacts describes every source read.
func (a *flowData) captureFacts() []report.Capture {
	out := make([]report.Capture, 0, len(a.sources))
	for _, s := range a.sources {
		info := s.info
		c := report.Capture{
			File: info.Name, Format: info.Format.String(), Compressed: info.Compressed,
			LinkTypes: []string{}, Packets: info.Records, Decoded: info.Outcomes.Count(capture.Decoded),
			Complete: s.err == nil, TimeOfDayOnly: info.Undated,
		}
		for _, l := range info.LinkTypes() {
			if l != capture.LinkUnknown {
				c.LinkTypes = append(c.LinkTypes, l.String())
			}
		}
		for _, ifc := range info.Interfaces {
			if ifc.Name != "" && !slices.Contains(c.Interfaces, ifc.Name) {
				c.Interfaces = append(c.Interfaces, ifc.Name)
			}
		}
		for _, o := range capture.Outcomes() {
			n := info.Outcomes.Count(o)
			if n == 0 || o == capture.Decoded {
				continue
			}
			m := &c.Skipped
			if o.IsProblem() {
				m = &c.Problems
			}
			if *m == nil {
				*m = map[string]int{}
			}
			(*m)[o.String()] = n
		}
		if !info.First.IsZero() {
			first, last := info.First, info.Last
			c.First, c.Last = &first, &last
		}
		if l := info.Live; l != nil {
			c.Live = &report.LiveCounts{Received: l.Received, KernelDropped: l.KernelDropped, InterfaceDropped: l.InterfaceDropped, AnalyzerWaits: l.Waits}
		}
		out = append(out, c)
	}
	return out
}

func (a *flowData) inventoryFacts() report.InventoryFacts {
	facts := report.InventoryFacts{Files: []string{}}
	if a.inv == nil {
		return facts
	}
	for _, f := range a.inv.Files {
		facts.Files = append(facts.Files, f.Path)
	}
	facts.Pods, facts.Services, facts.Endpoints, facts.Nodes = len(a.inv.Pods), len(a.inv.Services), len(a.inv.Endpoints), len(a.inv.Nodes)
	for _, r := range a.inv.Registries {
		name := r.Proxy.String()
		if name == "" {
			name = "(proxy not named)"
		}
		facts.Registries = append(facts.Registries, name+" from "+r.From.String())
	}
	return facts
}

// warnings collects what the reader of a report must know: input problems,
// captures cut short, inventory conflicts, and ambiguous verdicts.
func (a *flowData) warnings(flows, ambiguous int) []string {
	out := []string{}
	for _, s := range a.sources {
		out = append(out, sourceWarnings(s)...)
	}
	// The index's warnings begin with the inventory's own: take one or the other.
	if a.idx != nil {
		out = append(out, a.idx.Warnings()...)
	} else if a.inv != nil {
		out = append(out, a.inv.Warnings...)
	}
	if w := a.foldWarning(); w != "" {
		out = append(out, w)
	}
	if ambiguous > 0 {
		out = append(out, fmt.Sprintf("%d of %d flows rest on ambiguous evidence; their evidence says why", ambiguous, flows))
	}
	if flows == 0 && len(a.sources) > 0 {
		out = append(out, "no TCP or UDP packets were found in the captures")
	}
	return out
}

func sourceWarnings(s sourceRun) []string {
	info := s.info
	var out []string
	for _, o := range capture.Outcomes() {
		n := info.Outcomes.Count(o)
		if n == 0 || !o.IsProblem() || o == capture.UnsupportedLink {
			continue
		}
		unit := "record"
		if info.Format == capture.FormatText {
			unit = "line"
		}
		out = append(out, fmt.Sprintf("%s: %d %s %ss skipped (first: %s %d)", info.Name, n, o, unit, unit, info.Outcomes.First(o)))
	}
	links := make([]capture.LinkType, 0, len(info.Unsupported))
	for l := range info.Unsupported {
		links = append(links, l)
	}
	slices.Sort(links)
	for _, l := range links {
		out = append(out, fmt.Sprintf("%s: %d frames of link type %s (%d) are not decoded", info.Name, info.Unsupported[l], l, uint32(l)))
	}
	for _, n := range info.Notes {
		out = append(out, info.Name+": "+n)
	}
	if l := info.Live; l != nil && l.Lost() {
		out = append(out, liveLossWarning(info.Name, *l))
	}
	if s.err != nil {
		before := fmt.Sprintf("the %d records before it are analyzed", info.Records)
		switch info.Records {
		case 0:
			before = "no record came before it"
		case 1:
			before = "the record before it is analyzed"
		}
		out = append(out, fmt.Sprintf("%v; %s", s.err, before))
	}
	return out
}

// liveLossWarning says, as tcpdump does, how many packets the kernel (or
// the interface) dropped, that the analysis lacks them, and whether the
// analyzer or the capture itself fell behind.
func liveLossWarning(name string, l capture.LiveStats) string {
	var lost []string
	if l.KernelDropped > 0 {
		lost = append(lost, fmt.Sprintf("%d packets dropped by kernel", l.KernelDropped))
	}
	if l.InterfaceDropped > 0 {
		lost = append(lost, fmt.Sprintf("%d packets dropped by interface", l.InterfaceDropped))
	}
	why := "the capture did not read the kernel's buffer in time (it never waited for the analyzer): raise --buffer-size"
	if l.Waits > 0 {
		why = fmt.Sprintf("the analyzer fell behind (the capture waited for it %d times) and the kernel's buffer overflowed: narrow --filter or raise --buffer-size", l.Waits)
	}
	return fmt.Sprintf("%s: %s (of %d the filter passed): the analysis lacks them; %s", name, strings.Join(lost, ", "), l.Received, why)
}
