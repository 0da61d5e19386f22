package render

import (
	"bytes"
	"fmt"
	"io"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// checkText prints a check for people: one line per violation, notes on
// rules that selected nothing, and a last line that sums up.
func checkText(w io.Writer, res *report.Check) error {
	var b bytes.Buffer
	for _, v := range res.Violations {
		b.WriteString("FAIL " + Clean(v.Line) + "\n")
	}
	for _, u := range res.Unmatched {
		fmt.Fprintf(&b, "note %s: the rule selected no flow\n", Clean(u))
	}
	if res.OK {
		fmt.Fprintf(&b, "ok: %s %s for %s (%s)\n", count(res.Rules, "rule"), verb(res.Rules, "holds", "hold"), count(res.Flows, "flow"), Clean(res.Expect))
	} else {
		fmt.Fprintf(&b, "%s of %s in %s (%s)\n", count(len(res.Violations), "violation"),
			count(res.Rules, "rule"), count(res.Flows, "flow"), Clean(res.Expect))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// count says "1 rule" or "2 rules".
func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// verb picks a verb's singular or plural form for n.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
