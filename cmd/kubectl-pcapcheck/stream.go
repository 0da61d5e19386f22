package main

import (
	"context"
	"io"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// captureRequest is what to capture.
type captureRequest struct {
	pod *corev1.Pod
	// container is the container whose namespaces the capture shares
	// (the ephemeral container's target); "" for the pod's first.
	container string
	image     string
	duration  time.Duration
}

// captureStarter starts a capture process in a pod's network namespace and
// streams its standard output, a pcap. The real one adds an ephemeral
// container and attaches to it; the lab's runs tcpdump in a network
// namespace.
type captureStarter interface {
	Start(ctx context.Context, req captureRequest) (*captureStream, error)
}

// captureStream is a running capture: its pcap on r, until Stop is called
// or the capture ends by itself.
type captureStream struct {
	r io.Reader
	// stop ends the capture; r then reaches its end. Stop calls it once.
	stop func() error
	// where names where it runs, for messages.
	where string

	once    sync.Once
	stopErr error
}

// Stop ends the capture and returns how it ended; it may be called again
// (the duration's timer, Ctrl-C and the end of the stream all call it) and
// returns the first call's error.
func (s *captureStream) Stop() error {
	s.once.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *captureStream) Read(p []byte) (int, error) { return s.r.Read(p) }
