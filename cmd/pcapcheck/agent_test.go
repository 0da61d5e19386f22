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

	"github.com/pcapcheck/pcapcheck/deploy"
	"github.com/pcapcheck/pcapcheck/fixtures/kubetest"
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

// TestAgentReadsTheAPIServer runs the agent with the inventory of a real
// kube-apiserver, read with the agent's ServiceAccount token as deploy/
// grants it: the pod created there names the flow's client.
func TestAgentReadsTheAPIServer(t *testing.T) {
	testenv.Root(t, "pcapcheck agent captures on lo")
	s := kubetest.Start(t)
	for _, m := range deploy.Manifests() {
		if !strings.Contains(string(m.Data), "kind: DaemonSet") {
			s.Apply(t, string(m.Data))
		}
	}
	s.Apply(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: looper, namespace: default}\nspec: {containers: [{name: c, image: busybox}], nodeName: n1}\n")
	s.ApplyStatus(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: looper, namespace: default}\nstatus: {phase: Running, podIP: 127.0.0.1, podIPs: [{ip: 127.0.0.1}]}\n")
	token := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(token, []byte(s.ServiceAccountToken(t, deploy.Namespace, deploy.ServiceAccount)), 0o600))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	go func() {
		for range 10 {
			time.Sleep(150 * time.Millisecond)
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				c.Close()
			}
		}
	}()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"agent", "-i", "lo", "--node", "n1", "--duration", "2s",
		"--api-server", s.URL, "--token-file", token, "--ca-file", s.CAFile}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), "pcapcheck agent: node n1: inventory of 1 pods, 1 services, 0 nodes from "+s.URL)
	r, err := merge.Read("stdout", &stdout)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Inventory.Pods)
	named := false
	for _, f := range r.Flows {
		named = named || f.ClientPod.String() == "default/looper"
	}
	assert.True(t, named, "the API's pod names the client")
}
