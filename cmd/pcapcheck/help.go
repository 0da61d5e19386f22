package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// helpWidth is the width --help is wrapped to: the terminal's, else 80.
func helpWidth(stdout io.Writer) int {
	if w := terminalWidth(stdout, os.Getenv); w > 0 {
		return w
	}
	return 80
}

// wrapHelp makes every command's help fit width columns: the long
// descriptions are wrapped at spaces, paragraph by paragraph, and the flags'
// descriptions by pflag, under their own column. Cobra's default template
// prints both unwrapped, which a terminal then breaks mid-word.
func wrapHelp(root *cobra.Command, width int) {
	wrapped := fmt.Sprintf(".FlagUsagesWrapped %d", width)
	tmpl := strings.NewReplacer(".LocalFlags.FlagUsages", ".LocalFlags"+wrapped,
		".InheritedFlags.FlagUsages", ".InheritedFlags"+wrapped).Replace(root.UsageTemplate())
	root.SetUsageTemplate(tmpl)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long = wrapParagraphs(c.Long, width)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// wrapParagraphs rewraps text at width: lines of a paragraph (lines up to a
// blank one) are joined and broken again at spaces. Indented lines, which
// are examples or lists, are kept as they are.
func wrapParagraphs(text string, width int) string {
	var out, para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		line := ""
		for _, w := range strings.Fields(strings.Join(para, " ")) {
			switch {
			case line == "":
				line = w
			case len([]rune(line))+1+len([]rune(w)) > width:
				out = append(out, line)
				line = w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
		para = nil
	}
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(l) == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(l, " "), strings.HasPrefix(l, "\t"):
			flush()
			out = append(out, l)
		default:
			para = append(para, l)
		}
	}
	flush()
	return strings.Join(out, "\n")
}
