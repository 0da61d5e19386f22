// Command kubectl-pcapcheck is pcapcheck's kubectl plugin: it takes from a
// cluster what pcapcheck reads (an inventory bundle, a capture from inside
// a pod, the reports of per-node agents) and prints pcapcheck's report.
// Installed on PATH under this name, kubectl runs it as `kubectl
// pcapcheck` (krew's naming), with kubectl's own flags (--kubeconfig,
// --context, -n...).
//
// It is a module of its own so that client-go stays out of pcapcheck's
// go.mod; it uses pcapcheck's internal packages through a replace.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	// exitUsage is a command line that cannot be run as given.
	exitUsage = 2
)

// run runs one command line and returns its exit code.
func run(ctx context.Context, args []string, streams genericiooptions.IOStreams) int {
	root := newRootCmd(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	printError(streams.ErrOut, err)
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "kubectl pcapcheck:", err)
}

// usageError is a command line that cannot be run as given.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}
