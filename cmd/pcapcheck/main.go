// Command pcapcheck tells, for every flow in a packet capture, whether the
// Istio sidecar sent it to a pod (in the mesh) or passed it through to a
// Service ClusterIP (outside it), and what changed between two captures.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pcapcheck/pcapcheck/internal/render"
)

func main() {
	// The garbage collector runs at Go's default (GOGC=100): the heap is
	// mostly the flow table, which lives until the report is written, and
	// the report makes little garbage. Collecting at half the live heap
	// (GOGC=50) measured 3 to 6% more CPU for 1 to 7 MB less peak
	// (README, Performance).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes: 0 success, 1 an expectation of pcapcheck check does not
// hold, 2 bad usage or unreadable input, 130 interrupted by Ctrl-C (SIGINT)
// or stopped by SIGTERM before the report, as shells report a command
// SIGINT ended (128+2). live is the exception: Ctrl-C is how it is stopped,
// and it prints its report and exits 0.
const (
	exitOK          = 0
	exitViolations  = 1
	exitBadInput    = 2
	exitInterrupted = 130
)

// run executes one command line and returns its exit code, printing any
// error to stderr on one line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "pcapcheck: interrupted")
		return exitInterrupted
	}
	code := exitBadInput
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		fmt.Fprintln(stderr, "pcapcheck: "+render.Clean(oneLine(userMessage(err))))
	}
	return code
}

// exitError carries an exit code; its message, if any, is printed on one line.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }
