package check

import (
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// Check checks every rule against every flow, reading the flows once.
// Violations are listed rule by rule, each rule's in the flows' order.
func Check(f *File, flows iter.Seq[*report.Flow]) *report.Check {
	res := &report.Check{Schema: report.SchemaCheck, Expect: f.Path, Rules: len(f.Rules), Violations: []report.Violation{}, Unmatched: []string{}}
	selected := make([]int, len(f.Rules))
	perRule := make([][]report.Violation, len(f.Rules))
	for fl := range flows {
		res.Flows++
		for i, rule := range f.Rules {
			if !rule.selects(fl) {
				continue
			}
			selected[i]++
			if want, saw, ok := rule.holds(fl); !ok {
				perRule[i] = append(perRule[i], violation(f.Path, rule, fl, want, saw))
			}
		}
	}
	for i, rule := range f.Rules {
		res.Violations = append(res.Violations, perRule[i]...)
		switch n := selected[i]; {
		case rule.Present != nil && *rule.Present && n == 0:
			res.Violations = append(res.Violations, violation(f.Path, rule, nil, "at least one flow", "none"))
		case rule.Present != nil && !*rule.Present && n > 0:
			res.Violations = append(res.Violations, violation(f.Path, rule, nil, "no flow", fmt.Sprintf("%d %s", n, plural(n, "flow"))))
		case n == 0:
			res.Unmatched = append(res.Unmatched, rule.Pos(f.Path))
		}
	}
	res.OK = len(res.Violations) == 0
	return res
}

func violation(path string, rule Rule, fl *report.Flow, want, saw string) report.Violation {
	v := report.Violation{Rule: rule.Pos(path), RuleText: rule.Text, Want: want, Saw: saw, Why: rule.Why}
	subject := fmt.Sprintf("rule %s", rule.Text)
	if fl != nil {
		v.Client, v.Destination = fl.ClientLabel(), fl.DestinationLabel()
		v.Proto, v.From, v.To = fl.Proto, report.Endpoint{AddrPort: fl.Client}, report.Endpoint{AddrPort: fl.Server}
		if rule.MatchExpected && v.Why == "" {
			v.Why = fl.ExpectedWhy
		}
		subject = fmt.Sprintf("%s → %s (%s %s → %s)", v.Client, v.Destination, v.Proto, v.From, v.To)
	}
	v.Line = fmt.Sprintf("%s: %s: want %s, saw %s", v.Rule, subject, want, saw)
	if fl != nil {
		v.Line += " (rule " + rule.Text + ")"
	}
	if v.Why != "" {
		v.Line += ": " + v.Why
	}
	return v
}

// selects reports whether the rule's from and to match the flow.
func (r Rule) selects(f *report.Flow) bool {
	return matchAny(r.From, f.ClientLabel().String(), f.ClientPod.String(), addrPort(f.Client), addr(f.Client)) &&
		matchAny(r.To, f.DestinationLabel().String(), f.Service.String(), f.ServerPod.String(), addrPort(f.Server), addr(f.Server), f.NATToPod.String(), addrPort(f.NATTo.AddrPort))
}

// holds checks the rule's assertions on one flow; want and saw say what
// failed.
func (r Rule) holds(f *report.Flow) (want, saw string, ok bool) {
	if r.Verdicts != nil && !slices.Contains(r.Verdicts, f.Verdict) {
		return "verdict " + joinVerdicts(r.Verdicts, " or "), f.Verdict.String(), false
	}
	if slices.Contains(r.Forbid, f.Verdict) {
		return "no " + joinVerdicts(r.Forbid, " or "), f.Verdict.String(), false
	}
	if r.MatchExpected && !f.Expected.IsZero() && !f.Expected.Matches(f.Verdict) {
		return "the expected path " + f.Expected.String(), f.Verdict.String(), false
	}
	return "", "", true
}

func joinVerdicts(vs []report.Verdict, sep string) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, sep)
}

func matchAny(pattern string, names ...string) bool {
	for _, n := range names {
		if n != "" && Glob(pattern, n) {
			return true
		}
	}
	return false
}

// addrPort and addr spell an endpoint as rules name it: "IP:PORT" or
// "IP"; "" for none.
func addrPort(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return ap.String()
}

func addr(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return ap.Addr().String()
}

// Glob reports whether name matches pattern, where "*" matches any run of
// characters ("/" included) and "?" any one character.
func Glob(pattern, name string) bool {
	p, n := []rune(pattern), []rune(name)
	// Iterative matching with one backtrack point for the last "*": linear
	// in practice and never exponential.
	pi, ni, star, mark := 0, 0, -1, 0
	for ni < len(n) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == n[ni]):
			pi++
			ni++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ni
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ni = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
