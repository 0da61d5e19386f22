package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// ColorMode says when the table colors verdicts. The zero value is invalid.
type ColorMode uint8

const (
	colorModeInvalid ColorMode = iota
	// ColorAuto colors when the output is a terminal and NO_COLOR is unset
	// or empty.
	ColorAuto
	// ColorNever never colors.
	ColorNever
	// ColorAlways colors whatever the output is, and whatever NO_COLOR says.
	ColorAlways
	numColorModes
)

var colorModeNames = [numColorModes]string{colorModeInvalid: "invalid", ColorAuto: "auto", ColorNever: "never", ColorAlways: "always"}

func (m ColorMode) String() string {
	if m < numColorModes {
		return colorModeNames[m]
	}
	return "invalid"
}

// ColorModeNames lists the valid color modes, for flag help.
func ColorModeNames() []string {
	var out []string
	for m := ColorAuto; m < numColorModes; m++ {
		out = append(out, m.String())
	}
	return out
}

// ParseColorMode reads a color mode name.
func ParseColorMode(s string) (ColorMode, error) {
	for m := ColorAuto; m < numColorModes; m++ {
		if colorModeNames[m] == s {
			return m, nil
		}
	}
	return colorModeInvalid, fmt.Errorf("reports: unknown color mode %q, want one of %s", s, strings.Join(ColorModeNames(), ", "))
}

// Enabled reports whether output written to out should be colored. getenv
// reads the environment (os.Getenv); a NO_COLOR that is set and not empty
// turns auto off, as https://no-color.org asks, and so does TERM=dumb (a
// terminal that shows escape sequences as text: Emacs' shell, some CI logs).
func (m ColorMode) Enabled(out io.Writer, getenv func(string) string) bool {
	switch m {
	case ColorAlways:
		return true
	case ColorAuto:
		return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && isTerminal(out)
	}
	return false
}

// isTerminal reports whether w is a terminal (or a Cygwin/MSYS pty).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// sgr holds the Select Graphic Rendition parameters of each verdict. They
// are the only escape sequences pcapcheck writes; everything that came from
// a packet or an inventory goes through clean first.
var sgr = [...]string{
	report.SidecarDNAT: "32",   // green: in the mesh
	report.Passthrough: "1;33", // bold yellow: bypasses the mesh
	report.PodDirect:   "36",   // cyan
	report.Node:        "34",   // blue
	report.External:    "35",   // magenta
	report.Unknown:     "2",    // dim
	report.Istio:       "2;36", // dim cyan: Istio's own traffic
}

// paint colors a verdict's name when on.
func paint(on bool, v report.Verdict) string {
	if !on || int(v) >= len(sgr) || sgr[v] == "" {
		return v.String()
	}
	return "\x1b[" + sgr[v] + "m" + v.String() + "\x1b[0m"
}

// paintSet colors each verdict of a set ("passthrough+pod-direct") when on;
// an empty set is "absent", uncolored.
func paintSet(on bool, set report.VerdictSet) string {
	if set.Empty() {
		return set.String()
	}
	var parts []string
	for v := range set.All() {
		parts = append(parts, paint(on, v))
	}
	return strings.Join(parts, "+")
}

// verdictText is a verdict as tables print it, with what qualifies it: the
// role of Istio's own traffic ("istio: control-plane"), or whether the
// sidecar intercepted it ("passthrough, intercepted").
func verdictText(on bool, v report.Verdict, role report.Role, in report.Interception) string {
	text := paint(on, v)
	if q := qualifier(role, in); q != "" {
		text += ", " + q
	}
	return text
}

// qualifier is what qualifies a verdict: a role, or the interception.
func qualifier(role report.Role, in report.Interception) string {
	if !role.IsZero() {
		return role.String()
	}
	return in.String()
}
