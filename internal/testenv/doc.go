// Package testenv decides what a test does when the machine lacks something
// it needs: a tool (tshark, chromium, tcpdump), root, network namespaces,
// the capture corpus. Normally such a test skips, saying what is missing
// and how to get it; with PCAPCHECK_REQUIRE_TOOLS=1 in the environment, as
// .ci/run sets it, the same message fails the test, so that CI cannot pass
// by checking less than the README says it checks.
//
// It holds no state and is safe to call from parallel tests.
package testenv
