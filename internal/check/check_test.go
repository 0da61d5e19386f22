package check

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "default/my-shell", true}, // "*" crosses "/"
		{"web/*", "web/frontend", true},
		{"web/*", "webshop/frontend", false},
		{"*/reviews", "bookinfo/reviews", true},
		{"bookinfo/reviews-v?-*", "bookinfo/reviews-v3-f68f94645-bmzrn", true},
		{"10.96.*:9080", "10.96.209.151:9080", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"", "a", false},
		{"**", "", true},
		// Many stars against a long name stay linear, not exponential.
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Glob(tt.pattern, tt.name), "%q %q", tt.pattern, tt.name)
	}
}

func TestParse(t *testing.T) {
	f, err := Parse("e.yaml", []byte("rules:\n- {from: \"web/*\", to: \"*\", forbid: [external, unknown]}\n- from: a\n  verdict: [passthrough, sidecar-dnat]\n  why: because\n- {match: expected}\n- {to: x, present: false}\n"))
	require.NoError(t, err)
	require.Len(t, f.Rules, 4)
	assert.Equal(t, Rule{From: "web/*", To: "*", Forbid: []report.Verdict{report.External, report.Unknown}, Line: 2,
		Text: `{from: "web/*", to: "*", forbid: [external, unknown]}`}, f.Rules[0])
	assert.Equal(t, []report.Verdict{report.Passthrough, report.SidecarDNAT}, f.Rules[1].Verdicts)
	assert.Equal(t, "because", f.Rules[1].Why)
	assert.Equal(t, 3, f.Rules[1].Line)
	assert.True(t, f.Rules[2].MatchExpected)
	assert.True(t, f.NeedsPrediction())
	require.NotNil(t, f.Rules[3].Present)
	assert.False(t, *f.Rules[3].Present)
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ text, msg string }{
		{"", "check: e.yaml: empty: expected a list of rules"},
		{"a: 1\n", `check: e.yaml:1:1: unknown key "a": expected a list of rules, or rules: followed by the list`},
		{"- 1\n", `check: e.yaml:1:3: expected a rule (a mapping with from, to and verdict, forbid, match or present), found "1"`},
		{"- {match: observed}\n", `check: e.yaml:1:11: match: expected "expected" (observed must equal predicted), found "observed"`},
		{"- {present: maybe}\n", `check: e.yaml:1:13: present: expected true or false, found "maybe"`},
		{"- {forbid: []}\n", "check: e.yaml:1:12: forbid: expected at least one verdict"},
		{"- {from: [a]}\n", `check: e.yaml:1:10: from: expected a string, found a list`},
		{"[]\n", "check: e.yaml:1:1: expected at least one rule"},
	}
	for _, tt := range tests {
		_, err := Parse("e.yaml", []byte(tt.text))
		require.Error(t, err, tt.text)
		assert.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), tt.msg, tt.text)
	}
}

func TestCheck(t *testing.T) {
	ref := func(s string) inventory.Ref {
		if ns, name, ok := strings.Cut(s, "/"); ok {
			return inventory.Ref{Namespace: ns, Name: name}
		}
		return inventory.Ref{Name: s}
	}
	flow := func(client, server, service string, v report.Verdict, expected string) report.Flow {
		var exp report.Path
		if expected != "" {
			exp, _ = report.ParsePath(expected)
		}
		return report.Flow{Proto: capture.TCP, Client: netip.MustParseAddrPort("10.0.0.1:5000"), ClientPod: ref(client), Server: netip.MustParseAddrPort(server), Service: ref(service),
			Verdict: v, Expected: exp, First: time.Unix(0, 0)}
	}
	r := &report.Report{Flows: []report.Flow{
		flow("web/frontend", "10.96.0.9:80", "prod/api", report.Passthrough, "sidecar-dnat"),
		flow("web/frontend", "93.184.216.34:443", "", report.External, ""),
		flow("ops/job", "10.244.0.9:80", "prod/api", report.SidecarDNAT, "sidecar-dnat"),
	}}
	f, err := Parse("e.yaml", []byte(`
- {from: "web/*", to: "*", forbid: [external]}
- {from: "*", to: prod/api, verdict: sidecar-dnat}
- {from: "*", to: "*", match: expected}
- {from: nobody, to: "*", verdict: node}
- {from: "*", to: "93.184.*", present: false}
`))
	require.NoError(t, err)
	res := Check(f, r.All())
	assert.False(t, res.OK)
	var lines []string
	for _, v := range res.Violations {
		lines = append(lines, v.Line)
	}
	assert.Equal(t, []string{
		"e.yaml:2: web/frontend → 93.184.216.34:443 (tcp 10.0.0.1:5000 → 93.184.216.34:443): want no external, saw external (rule {from: \"web/*\", to: \"*\", forbid: [external]})",
		"e.yaml:3: web/frontend → prod/api (tcp 10.0.0.1:5000 → 10.96.0.9:80): want verdict sidecar-dnat, saw passthrough (rule {from: \"*\", to: prod/api, verdict: sidecar-dnat})",
		"e.yaml:4: web/frontend → prod/api (tcp 10.0.0.1:5000 → 10.96.0.9:80): want the expected path sidecar-dnat, saw passthrough (rule {from: \"*\", to: \"*\", match: expected})",
		"e.yaml:6: rule {from: \"*\", to: \"93.184.*\", present: false}: want no flow, saw 1 flow",
	}, lines)
	assert.Equal(t, []string{"e.yaml:5"}, res.Unmatched)
}
