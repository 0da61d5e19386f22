package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/merge"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

func TestAgentFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"agent", "--interval", "-1s", "--inventory", "x"}, "pcapcheck: --interval must be positive (or 0 for only at the end), got -1s\n"},
		{[]string{"agent", "--snaplen", "0", "--inventory", "x"}, "pcapcheck: --snaplen must be positive, got 0\n"},
		{[]string{"agent", "extra"}, "pcapcheck: agent takes no arguments, got \"extra\"; usage: pcapcheck agent [-i any] [--inventory PATH]... [--interval D] [--duration D] [--write-report FILE] [flags]\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, nil, &stdout, &stderr)
			assert.Equal(t, exitBadInput, code)
			assert.Equal(t, tt.want, stderr.String())
		})
	}
}

func TestAgentOutsideACluster(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"agent", "--duration", "1s"}, nil, &stdout, &stderr)
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, "pcapcheck: not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset (outside a cluster, give --inventory FILE)\n", stderr.String())
}

// TestAgentOnLoopback runs the agent on lo for two seconds while a client
// makes TCP connections to a local server: its stdout holds a report line
// every --interval and a last one, each readable by merge.Read with the
// node's name, the last naming the connections; stderr ends with
// merge.FinalLine; --write-report holds the last report.
func TestAgentOnLoopback(t *testing.T) {
	testenv.Root(t, "pcapcheck agent captures on lo")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello\n"))
			c.Close()
		}
	}()
	stop := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
				c.Close()
			}
		}
	}()
	defer close(stop)
	file := filepath.Join(t.TempDir(), "node.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"agent", "-i", "lo", "--node", "test-node", "--duration", "2s", "--interval", "700ms",
		"--inventory", filepath.Join(bookinfo, "inventory"), "--write-report", file}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	assert.GreaterOrEqual(t, len(lines), 2, "a report every --interval and a last one")
	for i, line := range lines {
		r, err := merge.Read("line", strings.NewReader(line))
		require.NoError(t, err, "line %d", i+1)
		assert.Equal(t, "test-node", r.Node)
	}
	last, err := merge.Read("stdout", &stdout)
	require.NoError(t, err)
	server := ln.Addr().(*net.TCPAddr).AddrPort()
	n := 0
	for _, f := range last.Flows {
		if f.Server.Port() == server.Port() {
			n++
		}
	}
	assert.Positive(t, n, "the connections to the local server")
	assert.True(t, strings.HasSuffix(stderr.String(), merge.FinalLine+"\n"), stderr.String())
	written, err := os.ReadFile(file)
	require.NoError(t, err)
	fromFile, err := merge.Read(file, bytes.NewReader(written))
	require.NoError(t, err)
	assert.Equal(t, len(last.Flows), len(fromFile.Flows))
}
