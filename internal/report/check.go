package report

import "github.com/pcapcheck/pcapcheck/internal/capture"

// SchemaCheck names the JSON document of `pcapcheck check -o json`.
const SchemaCheck = "pcapcheck/check/v1"

// Check is the outcome of checking one report against an expectations
// file: the document `pcapcheck check` prints.
type Check struct {
	Schema string `json:"schema" yaml:"schema"`
	// Expect is the expectations file.
	Expect     string      `json:"expect" yaml:"expect"`
	Rules      int         `json:"rules" yaml:"rules"`
	Flows      int         `json:"flows" yaml:"flows"`
	OK         bool        `json:"ok" yaml:"ok"`
	Violations []Violation `json:"violations" yaml:"violations"`
	// Unmatched lists the rules ("file:line") that selected no flow; a rule
	// with present: true that did so is a violation instead.
	Unmatched []string `json:"unmatched" yaml:"unmatched"`
}

// Violation is one flow (or one rule, for present) that breaks a rule.
type Violation struct {
	// Rule is "file:line"; RuleText the rule on one line.
	Rule     string `json:"rule" yaml:"rule"`
	RuleText string `json:"rule_text" yaml:"rule_text"`
	// Client, Destination, Proto, From and To name the flow; zero for a
	// rule that selected no flow or too many.
	Client      Label             `json:"client,omitzero" yaml:"client,omitempty"`
	Destination Label             `json:"destination,omitzero" yaml:"destination,omitempty"`
	Proto       capture.Transport `json:"proto,omitzero" yaml:"proto,omitempty"`
	From        Endpoint          `json:"from,omitzero" yaml:"from,omitempty"`
	To          Endpoint          `json:"to,omitzero" yaml:"to,omitempty"`
	// Want is what the rule asserts; Saw what the flow shows.
	Want string `json:"want" yaml:"want"`
	Saw  string `json:"saw" yaml:"saw"`
	// Why is the rule's why, or the flow's expected_why for match rules.
	Why string `json:"why,omitempty" yaml:"why,omitempty"`
	// Line is the violation in one line of text, as printed.
	Line string `json:"line" yaml:"line"`
}

// IsZero reports whether the label names nothing.
func (l Label) IsZero() bool { return l.Ref.IsZero() && !l.Addr.IsValid() }
