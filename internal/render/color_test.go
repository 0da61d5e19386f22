package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

func TestParseColorMode(t *testing.T) {
	for _, name := range ColorModeNames() {
		m, err := ParseColorMode(name)
		require.NoError(t, err)
		assert.Equal(t, name, m.String())
	}
	_, err := ParseColorMode("yes")
	assert.EqualError(t, err, `reports: unknown color mode "yes", want one of auto, never, always`)
	assert.False(t, ColorMode(0).Enabled(os.Stdout, func(string) string { return "" }), "the zero value never colors")
}

func TestColorEnabled(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer file.Close()
	// The master side of a pseudo-terminal is a terminal, as a shell's
	// stdout would be.
	tty, ttyErr := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if ttyErr == nil {
		defer tty.Close()
	}
	tests := []struct {
		name    string
		mode    ColorMode
		noColor string
		term    string
		tty     bool
		want    bool
	}{
		{"auto on a terminal", ColorAuto, "", "xterm-256color", true, true},
		{"auto on a terminal with NO_COLOR", ColorAuto, "1", "xterm", true, false},
		{"auto on a dumb terminal", ColorAuto, "", "dumb", true, false},
		{"auto into a file", ColorAuto, "", "xterm", false, false},
		{"never on a terminal", ColorNever, "", "xterm", true, false},
		{"always into a file", ColorAlways, "", "xterm", false, true},
		{"always beats NO_COLOR", ColorAlways, "1", "xterm", false, true},
		{"always on a dumb terminal", ColorAlways, "", "dumb", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out any = file
			if tt.tty {
				if ttyErr != nil {
					testenv.Missing(t, "no pseudo-terminal: %v", ttyErr)
				}
				out = tty
			}
			getenv := func(k string) string {
				switch k {
				case "NO_COLOR":
					return tt.noColor
				case "TERM":
					return tt.term
				}
				return ""
			}
			assert.Equal(t, tt.want, tt.mode.Enabled(out.(interface{ Write([]byte) (int, error) }), getenv))
		})
	}
	assert.False(t, ColorAuto.Enabled(&bytes.Buffer{}, func(string) string { return "" }), "a buffer is no terminal")
}

// ownSGR matches the escape sequences the table writes itself.
var ownSGR = regexp.MustCompile(`\x1b\[(?:0|32|1;33|36|34|35|2)m`)

func TestTableColor(t *testing.T) {
	for _, r := range []*report.Report{hostile(), hostileMesh(), generated(6, 2, 0)} {
		plain := renderWith(t, r, false)
		colored := renderWith(t, r, true)
		assert.NotContains(t, ownSGR.ReplaceAllString(colored, ""), "\x1b", "the verdict colors are the only escape sequences")
		assert.Equal(t, plain, ownSGR.ReplaceAllString(colored, ""), "color changes nothing else, columns stay aligned")
		assert.NotContains(t, plain, "\x1b")
		assert.True(t, strings.ToValidUTF8(colored, "?") == colored, "valid UTF-8")
	}
	colored := renderWith(t, hostileMesh(), true)
	assert.Contains(t, colored, "\x1b[32msidecar-dnat\x1b[0m")
	assert.Contains(t, colored, "\x1b[1;33mpassthrough\x1b[0m")
	assert.Contains(t, colored, `\x1b]0;pwned\x07\x1b[2J`, "the packet's escapes are spelled out")
}

func renderWith(t *testing.T, r *report.Report, color bool) string {
	t.Helper()
	rd, err := New(Table, WithFlows(true), WithColor(color))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rd.Analysis(&b, r, nil))
	require.NoError(t, rd.Comparison(&b, report.Compare(r, &report.Report{Schema: report.SchemaAnalyze}), nil, nil))
	return b.String()
}
