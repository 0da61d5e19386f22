package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// labNetnsFlag selects the network-namespace lab's stand-in for what needs
// a kubelet (fixtures/lab): no kubelet runs there, so instead of an
// ephemeral container and attach, tcpdump runs in the named network
// namespace with `ip netns exec`, and the sidecar's registry is read from
// its admin on that namespace's 127.0.0.1. Hidden: it is for tests.
const labNetnsFlag = "lab-netns-instead-of-kubelet"

// labCapture starts tcpdump in a network namespace.
type labCapture struct{ netns string }

func (l labCapture) Start(ctx context.Context, req captureRequest) (*captureStream, error) {
	cmd := exec.Command("ip", "netns", "exec", l.netns, "tcpdump", "-i", "any", "-U", "-w", "-")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting tcpdump in network namespace %s: %w", l.netns, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// tcpdump says "listening on any" once its socket is open: traffic
	// sent after Start returns is captured.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "listening on") {
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return nil, fmt.Errorf("tcpdump in %s did not start listening: %s", l.netns, strings.TrimSpace(stderr.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop := func() error {
		// SIGINT: tcpdump flushes and exits, closing the stream.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil && !interrupted(err) {
				return fmt.Errorf("tcpdump in %s: %v: %s", l.netns, err, strings.TrimSpace(stderr.String()))
			}
			return nil
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return fmt.Errorf("tcpdump in %s did not stop on SIGINT", l.netns)
		}
	}
	return &captureStream{r: out, stop: stop, where: "network namespace " + l.netns}, nil
}

// interrupted reports whether tcpdump ended on the SIGINT stop sent.
func interrupted(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGINT
}

// labRegistry reads the emulated sidecar's registry from its admin port in
// a network namespace, with curl run there.
type labRegistry struct{ netns string }

func (l labRegistry) Clusters(ctx context.Context, namespace, pod string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.netns, "curl", "-sSf", "--max-time", "10",
		fmt.Sprintf("http://127.0.0.1:%d%s", envoyAdminPort, clustersPath))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("curl in %s: %v: %s", l.netns, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// syncBuffer is a strings.Builder written by one goroutine (the command's
// stderr copier) and read by another.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
