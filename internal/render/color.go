package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/pcapcheck/pcapcheck/internal/engine"
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
// turns auto off, as https://no-color.org asks.
func (m ColorMode) Enabled(out io.Writer, getenv func(string) string) bool {
	switch m {
	case ColorAlways:
		return true
	case ColorAuto:
		return getenv("NO_COLOR") == "" && isTerminal(out)
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
var sgr = map[string]string{
	engine.SidecarDNAT.String(): "32",   // green: in the mesh
	engine.Passthrough.String(): "1;33", // bold yellow: bypasses the mesh
	engine.PodDirect.String():   "36",   // cyan
	engine.Node.String():        "34",   // blue
	engine.External.String():    "35",   // magenta
	engine.Unknown.String():     "2",    // dim
}

// paint colors each verdict name of a verdict set ("sidecar-dnat",
// "passthrough+pod-direct", "absent") when on; the names are pcapcheck's
// own, never packet data.
func paint(on bool, set string) string {
	if !on {
		return set
	}
	parts := strings.Split(set, "+")
	for i, p := range parts {
		if code, ok := sgr[p]; ok {
			parts[i] = "\x1b[" + code + "m" + p + "\x1b[0m"
		}
	}
	return strings.Join(parts, "+")
}
