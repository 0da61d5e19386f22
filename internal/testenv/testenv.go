package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireVar is the environment variable that turns a missing tool from a
// skip into a failure when set to 1.
const RequireVar = "PCAPCHECK_REQUIRE_TOOLS"

// Required reports whether missing tools fail tests rather than skip them.
func Required() bool { return os.Getenv(RequireVar) == "1" }

// Missing stops the test because something it needs is missing: it skips
// with the message, or fails with it when PCAPCHECK_REQUIRE_TOOLS=1. The
// message says what is missing and how to get it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if Required() {
		tb.Fatalf("missing, and "+RequireVar+"=1: "+format, args...)
		return // for a testing.TB whose Fatalf returns
	}
	tb.Skipf(format, args...)
}

// Tool returns the path of the command name, or stops the test through
// Missing with "name is not installed: " and install, which says how to
// get it.
func Tool(tb testing.TB, name, install string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s is not installed: %s", name, install)
	}
	return path
}

// Root stops the test through Missing unless it runs as root; why says
// what root is needed for.
func Root(tb testing.TB, why string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		Missing(tb, "needs root (%s): run the tests as root", why)
	}
}

// Short skips the test under -short, whatever PCAPCHECK_REQUIRE_TOOLS says:
// -short is a choice made on the command line, not a missing tool. what
// says what the test does that -short leaves out.
func Short(tb testing.TB, what string) {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("skipped with -short: %s", what)
	}
}

// MissingPart says that part of a test is left out because something it
// needs is missing: it logs the message and the test goes on, or fails
// with it when PCAPCHECK_REQUIRE_TOOLS=1.
func MissingPart(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if Required() {
		tb.Fatalf("missing, and "+RequireVar+"=1: "+format, args...)
		return
	}
	tb.Logf(format, args...)
}
