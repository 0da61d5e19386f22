package check

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// SchemaCheck names the JSON document of `pcapcheck check -o json`.
const SchemaCheck = "pcapcheck/check/v1"

// Result is the outcome of checking one report.
type Result struct {
	Schema string `json:"schema"`
	// Expect is the expectations file.
	Expect     string      `json:"expect"`
	Rules      int         `json:"rules"`
	Flows      int         `json:"flows"`
	OK         bool        `json:"ok"`
	Violations []Violation `json:"violations"`
	// Unmatched lists the rules ("file:line") that selected no flow; a rule
	// with present: true that did so is a violation instead.
	Unmatched []string `json:"unmatched"`
}

// Violation is one flow (or one rule, for present) that breaks a rule.
type Violation struct {
	// Rule is "file:line"; RuleText the rule on one line.
	Rule     string `json:"rule"`
	RuleText string `json:"rule_text"`
	// Client, Destination, Proto, From and To name the flow; empty for a
	// rule that selected no flow or too many.
	Client      string `json:"client,omitempty"`
	Destination string `json:"destination,omitempty"`
	Proto       string `json:"proto,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	// Want is what the rule asserts; Saw what the flow shows.
	Want string `json:"want"`
	Saw  string `json:"saw"`
	// Why is the rule's why, or the flow's expected_why for match rules.
	Why string `json:"why,omitempty"`
	// Line is the violation in one line of text, as printed.
	Line string `json:"line"`
}

// Check checks every rule against every flow of r.
func Check(f *File, r *engine.Report) *Result {
	res := &Result{Schema: SchemaCheck, Expect: f.Path, Rules: len(f.Rules), Flows: len(r.Flows), Violations: []Violation{}, Unmatched: []string{}}
	for _, rule := range f.Rules {
		selected := 0
		for i := range r.Flows {
			fl := &r.Flows[i]
			if !rule.selects(fl) {
				continue
			}
			selected++
			if want, saw, ok := rule.holds(fl); !ok {
				res.add(f.Path, rule, fl, want, saw)
			}
		}
		switch {
		case rule.Present != nil && *rule.Present && selected == 0:
			res.add(f.Path, rule, nil, "at least one flow", "none")
		case rule.Present != nil && !*rule.Present && selected > 0:
			res.add(f.Path, rule, nil, "no flow", fmt.Sprintf("%d %s", selected, plural(selected, "flow")))
		case selected == 0:
			res.Unmatched = append(res.Unmatched, rule.Pos(f.Path))
		}
	}
	res.OK = len(res.Violations) == 0
	return res
}

func (res *Result) add(path string, rule Rule, fl *engine.Flow, want, saw string) {
	v := Violation{Rule: rule.Pos(path), RuleText: rule.Text, Want: want, Saw: saw, Why: rule.Why}
	subject := fmt.Sprintf("rule %s", rule.Text)
	if fl != nil {
		v.Client, v.Destination = fl.Labels()
		v.Proto, v.From, v.To = fl.Proto, fl.Client, fl.Server
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
	res.Violations = append(res.Violations, v)
}

// selects reports whether the rule's from and to match the flow.
func (r Rule) selects(f *engine.Flow) bool {
	client, dest := f.Labels()
	return matchAny(r.From, client, f.ClientPod, f.Client, hostOf(f.Client)) &&
		matchAny(r.To, dest, f.Service, f.ServerPod, f.Server, hostOf(f.Server), f.NATToPod, f.NATTo)
}

// holds checks the rule's assertions on one flow; want and saw say what
// failed.
func (r Rule) holds(f *engine.Flow) (want, saw string, ok bool) {
	if r.Verdicts != nil && !slices.Contains(r.Verdicts, f.Verdict) {
		return "verdict " + joinVerdicts(r.Verdicts, " or "), f.Verdict.String(), false
	}
	if slices.Contains(r.Forbid, f.Verdict) {
		return "no " + joinVerdicts(r.Forbid, " or "), f.Verdict.String(), false
	}
	if r.MatchExpected && f.Expected != "" && f.Expected != f.Verdict.String() {
		return "the expected path " + f.Expected, f.Verdict.String(), false
	}
	return "", "", true
}

func joinVerdicts(vs []engine.Verdict, sep string) string {
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

func hostOf(addrPort string) string {
	if ap, err := netip.ParseAddrPort(addrPort); err == nil {
		return ap.Addr().String()
	}
	return ""
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

// Text prints the result for people: one line per violation, notes on
// rules that selected nothing, and a last line that sums up.
func (res *Result) Text() string {
	var b strings.Builder
	for _, v := range res.Violations {
		b.WriteString("FAIL " + oneLine(v.Line) + "\n")
	}
	for _, u := range res.Unmatched {
		fmt.Fprintf(&b, "note %s: the rule selected no flow\n", u)
	}
	if res.OK {
		fmt.Fprintf(&b, "ok: %d %s hold for %d %s (%s)\n", res.Rules, plural(res.Rules, "rule"), res.Flows, plural(res.Flows, "flow"), res.Expect)
	} else {
		fmt.Fprintf(&b, "%d %s of %d %s in %d %s (%s)\n", len(res.Violations), plural(len(res.Violations), "violation"),
			res.Rules, plural(res.Rules, "rule"), res.Flows, plural(res.Flows, "flow"), res.Expect)
	}
	return b.String()
}

// oneLine keeps untrusted text (names from packets and inventories) on one
// line without control characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return '?'
		}
		return r
	}, s)
}
