package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// Shell completion (pcapcheck completion bash|zsh|fish|powershell, which
// cobra provides) completes the values these functions list; file flags
// and captures complete as files, cobra's default.

// completeWords completes a flag from a fixed list.
func completeWords(words ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return words, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeOutput registers the completion of -o and --color on cmd, with
// the formats cmd prints.
func completeOutput(cmd *cobra.Command, formats []string) {
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords(formats...))
	if cmd.Flags().Lookup("color") != nil {
		_ = cmd.RegisterFlagCompletionFunc("color", completeWords(render.ColorModeNames()...))
	}
}

// completeInterfaces completes -i with the machine's interfaces and "any".
func completeInterfaces(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return append(interfaceNames(), "any"), cobra.ShellCompDirectiveNoFileComp
}

// completePods completes scope's POD with the pods of the inventory the
// command line gives so far (--inventory), as namespace/name.
func completePods(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	paths, _ := cmd.Flags().GetStringArray("inventory")
	if len(args) > 0 || len(paths) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	inv, err := inventory.Load(paths...)
	if err != nil && inv == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, p := range inv.Pods {
		if ref := p.Ref.String(); strings.HasPrefix(ref, toComplete) {
			out = append(out, ref)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
