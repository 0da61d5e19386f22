package main

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/spell"
)

// packagePrefix matches the package name a library error starts with
// ("capture: ", "mesh: "), at the start or after another error's colon.
// The packages keep them, so that a wrapped error says where it came from to
// a programmer; the person at the terminal gets the words after them.
var packagePrefix = regexp.MustCompile(`(^|: )(capture|inventory|mesh|istio|reports|render|check|source|engine|merge|incluster): `)

// userMessage is the one line printed for err: without package prefixes,
// with a hint when the mistake is a common one.
func userMessage(err error) string {
	msg := packagePrefix.ReplaceAllString(err.Error(), "$1")
	switch {
	case errors.Is(err, capture.ErrInventoryText):
		msg += "; did you mean --inventory?"
	case errors.Is(err, capture.ErrNoInterface):
		if names := interfaceNames(); len(names) > 0 {
			msg += " (interfaces here: " + strings.Join(names, ", ") + `; "any" captures on all)`
		}
	}
	return msg
}

// interfaceNames lists the machine's network interfaces, for -i's error
// and its completion.
func interfaceNames() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ifs))
	for _, i := range ifs {
		out = append(out, i.Name)
	}
	return out
}

// flagError says what went wrong with a flag and, for an unknown one, which
// flag of the command was probably meant.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if c := spell.Closest(name, names); c != "" {
			msg += "; did you mean --" + c + "?"
		}
	}
	return badInput(fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath()))
}

// usageArgs wraps a cobra argument check so that its failure says, in plain
// words, what the command takes, and exits 2. need is what the command
// takes ("a capture", "one pod").
func usageArgs(check cobra.PositionalArgs, need string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err == nil {
			return nil
		}
		usage := "usage: " + cmd.UseLine()
		if len(args) == 0 {
			return badInput(fmt.Errorf("%s needs %s; %s", cmd.Name(), need, usage))
		}
		return badInput(fmt.Errorf("%s takes %s, got %s; %s", cmd.Name(), need, argsWord(args), usage))
	}
}

// argsWord names the arguments given: `"a"`, `2 arguments ("a", "b")`.
func argsWord(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	if len(args) == 1 {
		return quoted[0]
	}
	return fmt.Sprintf("%d arguments (%s)", len(args), strings.Join(quoted, ", "))
}
