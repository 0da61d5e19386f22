package main

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// newRootCmd builds the command tree. kubectl's flags (--kubeconfig,
// --context, -n, --as, --token...) are bound to one ConfigFlags that every
// subcommand reads its clients from.
func newRootCmd(streams genericiooptions.IOStreams) *cobra.Command {
	return newRootCmdWith(streams, nil)
}

// newRootCmdWith is newRootCmd with the API clients given (tests), or made
// from kubectl's flags when c is nil.
func newRootCmdWith(streams genericiooptions.IOStreams, c *clients) *cobra.Command {
	kube := genericclioptions.NewConfigFlags(true)
	root := &cobra.Command{
		Use:           "kubectl-pcapcheck",
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl pcapcheck"},
		Short:         "Tell sidecar-DNAT from passthrough for a pod's or a cluster's traffic, with pcapcheck",
		SilenceUsage:  true,
		SilenceErrors: true,
		// kubectl's plugin handler passes the words after `kubectl
		// pcapcheck`; the root command has nothing to run itself.
		Args: cobra.NoArgs,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	kube.AddFlags(root.PersistentFlags())
	if c == nil {
		c = &clients{}
	}
	c.flags = kube
	root.AddCommand(newInventoryCmd(c, streams), newCaptureCmd(c, streams), newAuditCmd(c, streams))
	return root
}
