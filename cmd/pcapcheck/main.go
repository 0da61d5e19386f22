// Command pcapcheck tells, for every flow in a packet capture, whether the
// Istio sidecar sent it to a pod (in the mesh) or passed it through to a
// Service ClusterIP (outside it), and what changed between two captures.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(os.Stdin, os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err))
}

// Exit codes: 0 success, 1 a check that found violations, 2 bad usage or
// unreadable input.
const (
	exitOK        = 0
	exitViolation = 1
	exitBadInput  = 2
)

// exitError carries an exit code; its message, if any, is printed on one line.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "pcapcheck: "+oneLine(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "pcapcheck: "+oneLine(err.Error()))
	return exitBadInput
}
