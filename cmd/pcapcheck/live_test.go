package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// buildPcapcheck builds the command into dir with the given environment
// additions and returns the binary's path.
func buildPcapcheck(t *testing.T, dir string, env ...string) string {
	t.Helper()
	bin := filepath.Join(dir, "pcapcheck")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// TestLiveWithoutCgo: a build without cgo still runs every offline command,
// and live says in one line what it needs.
func TestLiveWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildPcapcheck(t, t.TempDir(), "CGO_ENABLED=0")
	out, err := exec.Command(bin, "live", "-i", "lo", "--duration", "1s").CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Equal(t, "pcapcheck: interface lo: live capture needs a build with libpcap: rebuild with CGO_ENABLED=1 after apt-get install libpcap-dev\n", string(out))
	out, err = exec.Command(bin, "analyze", filepath.Join(bookinfo, "after/veth.pcap"), "--inventory", filepath.Join(bookinfo, "inventory")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "passthrough")
}

// liveNet is two network namespaces joined by a veth pair: a client at
// 10.199.0.1 and an HTTP server at 10.199.0.2:8080. Everything is created
// inside the namespaces and removed by cleanup.
const (
	liveNSClient = "pcc-live-client"
	liveNSServer = "pcc-live-server"
	liveIface    = "pcc-live0"
)

func ipNetns(args ...string) error {
	out, err := exec.Command("ip", append([]string{"netns"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip netns %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func removeLiveNet() {
	exec.Command("ip", "netns", "del", liveNSClient).Run()
	exec.Command("ip", "netns", "del", liveNSServer).Run()
}

func setUpLiveNet(t *testing.T) {
	t.Helper()
	removeLiveNet()
	t.Cleanup(removeLiveNet)
	for _, args := range [][]string{
		{"add", liveNSClient},
		{"add", liveNSServer},
		{"exec", liveNSClient, "ip", "link", "add", liveIface, "type", "veth", "peer", "name", "pcc-live1", "netns", liveNSServer},
		{"exec", liveNSClient, "ip", "addr", "add", "10.199.0.1/24", "dev", liveIface},
		{"exec", liveNSClient, "ip", "link", "set", liveIface, "up"},
		{"exec", liveNSClient, "ip", "link", "set", "lo", "up"},
		{"exec", liveNSServer, "ip", "addr", "add", "10.199.0.2/24", "dev", "pcc-live1"},
		{"exec", liveNSServer, "ip", "link", "set", "pcc-live1", "up"},
		{"exec", liveNSServer, "ip", "link", "set", "lo", "up"},
	} {
		require.NoError(t, ipNetns(args...))
	}
}

// TestLiveCapture runs pcapcheck live on a veth while HTTP requests cross
// it, and checks its report against the offline analysis of the pcap it
// wrote, which tcpdump must read.
func TestLiveCapture(t *testing.T) {
	testenv.Short(t, "builds network namespaces and captures live")
	testenv.Root(t, "to create network namespaces and capture")
	for _, tool := range []string{"ip", "tcpdump", "curl", "python3"} {
		testenv.Tool(t, tool, "apt-get install -y iproute2 tcpdump curl python3")
	}
	dir := t.TempDir()
	bin := buildPcapcheck(t, dir)
	setUpLiveNet(t)
	python, _ := exec.LookPath("python3")
	server := exec.Command("ip", "netns", "exec", liveNSServer, python, "-m", "http.server", "--bind", "10.199.0.2", "8080")
	server.Dir = dir
	require.NoError(t, server.Start())
	t.Cleanup(func() { server.Process.Kill(); server.Wait() })
	require.Eventually(t, func() bool {
		return exec.Command("ip", "netns", "exec", liveNSClient, "curl", "-s", "-o", "/dev/null", "http://10.199.0.2:8080/").Run() == nil
	}, 10*time.Second, 100*time.Millisecond, "the test server does not answer")

	inv := filepath.Join(dir, "pods.txt")
	require.NoError(t, os.WriteFile(inv, []byte("$ kubectl -n lab get pods -o wide\n"+
		"NAME     READY   STATUS    RESTARTS   AGE   IP           NODE   NOMINATED NODE   READINESS GATES\n"+
		"client   1/1     Running   0          1m    10.199.0.1   n1     <none>           <none>\n"+
		"server   1/1     Running   0          1m    10.199.0.2   n1     <none>           <none>\n"), 0o644))
	written := filepath.Join(dir, "live.pcap")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	live := exec.CommandContext(ctx, "ip", "netns", "exec", liveNSClient, bin, "live", "-i", liveIface,
		"--filter", "tcp port 8080", "--duration", "4s", "--write", written, "--inventory", inv, "-o", "json")
	var stdout, stderr strings.Builder
	live.Stdout, live.Stderr = &stdout, &stderr
	require.NoError(t, live.Start())
	time.Sleep(time.Second)
	for range 3 {
		require.NoError(t, exec.Command("ip", "netns", "exec", liveNSClient, "curl", "-s", "-o", "/dev/null", "http://10.199.0.2:8080/").Run())
	}
	require.NoError(t, live.Wait(), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())

	type report struct {
		Captures []struct{ Packets, Decoded int }
		Flows    []struct {
			Client, Server, Verdict, Handshake string
			Packets, Bytes                     int64
		}
	}
	var got report
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &got))
	require.Len(t, got.Flows, 3, "three HTTP connections")
	for _, f := range got.Flows {
		assert.Equal(t, "10.199.0.2:8080", f.Server)
		assert.Equal(t, "complete", f.Handshake)
		assert.Equal(t, "pod-direct", f.Verdict)
	}

	out, err := exec.Command("tcpdump", "-nn", "-r", written).Output()
	require.NoError(t, err, "tcpdump reads what live wrote")
	assert.Equal(t, got.Captures[0].Packets, strings.Count(string(out), "\n"))

	code, offline, errOut := runIn(t, dir, "", "analyze", written, "--inventory", inv, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var want report
	require.NoError(t, json.Unmarshal([]byte(offline), &want))
	assert.Equal(t, want.Flows, got.Flows, "live and offline agree")
}

func TestLiveErrors(t *testing.T) {
	testenv.Root(t, "to open an interface")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no interface given", []string{"live"}, "live needs an interface: -i IFACE"},
		{"missing interface", []string{"live", "-i", "pcc-nope0"}, "pcapcheck: interface pcc-nope0: no such interface (interfaces here: "},
		{"bad filter", []string{"live", "-i", "lo", "--filter", "tcp port"}, `pcapcheck: interface lo: bad filter "tcp port"`},
		{"buffer size without a binary unit", []string{"live", "-i", "lo", "--buffer-size", "2MB"}, `"2MB" is not a size: write a whole number of bytes, or one with a unit: KiB, MiB or GiB (e.g. 32MiB)`},
		{"no buffer", []string{"live", "-i", "lo", "--buffer-size", "0"}, "pcapcheck: --buffer-size must be positive, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, t.TempDir(), "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"))
		})
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		testenv.MissingPart(t, "runuser is not installed (apt-get install -y util-linux): live's message without CAP_NET_RAW is not checked")
	} else {
		// A directory another user can enter: t.TempDir's parent is private.
		dir, err := os.MkdirTemp("", "pcc-live-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.Chmod(dir, 0o755))
		bin := buildPcapcheck(t, dir)
		out, err := exec.Command("runuser", "-u", "nobody", "--", bin, "live", "-i", "lo", "--duration", "1s").CombinedOutput()
		require.Error(t, err)
		assert.Equal(t, "pcapcheck: interface lo: permission denied: live capture needs root or CAP_NET_RAW\n", string(out))
	}
}

// TestLiveRedraw: on a terminal, the summary is redrawn at most once a
// second, with the flow count, from a snapshot of what was read: the
// analyzer goes on reading afterwards.
func TestLiveRedraw(t *testing.T) {
	src, err := capture.Open(filepath.Join(bookinfo, "after/any.pcap"))
	require.NoError(t, err)
	defer src.Close()
	cl, err := (&meshFlags{}).load([]string{filepath.Join(bookinfo, "inventory")})
	require.NoError(t, err)
	table, err := render.New(render.Table)
	require.NoError(t, err)
	var out bytes.Buffer
	s := &liveScreen{w: &out, on: true, iface: "veth0", started: time.Now(), table: table}
	packets, drawn := 0, 0
	a := engine.New(engine.Options{Inventory: cl.inv, Index: cl.idx, Tick: func(a *engine.Analyzer) {
		if packets++; packets != 20 {
			return
		}
		s.maybeDraw(a)
		drawn = out.Len()
		// The file is read in batches: the source has counted more
		// packets than the analyzer has seen.
		assert.Regexp(t, `^\x1b\[\?1049h\x1b\[H\x1b\[2Jpcapcheck live on veth0: 0s, 1 flow, \d+ packets, 0 dropped by kernel; Ctrl-C`, out.String())
		assert.Contains(t, out.String(), "default/my-shell   bookinfo/reviews   passthrough")
		s.maybeDraw(a)
		assert.Equal(t, drawn, out.Len(), "no second drawing within a second")
	}})
	require.NoError(t, a.Run(context.Background(), src))
	assert.Positive(t, drawn)
	assert.Equal(t, 3, a.Result().Len())
	s.clear()
	assert.True(t, strings.HasSuffix(out.String(), "\x1b[?1049l"), "back to the normal screen for the report")
}

// TestLiveStatusLine: the status line counts packets and says, as tcpdump
// does, how many the kernel dropped, and the interface when it did.
func TestLiveStatusLine(t *testing.T) {
	tests := []struct {
		name string
		live *report.LiveCounts
		want string
	}{
		{"a file: nothing dropped", nil, "pcapcheck live on eth0: 0s, 2 flows, 120 packets, 0 dropped by kernel; Ctrl-C stops and prints the full report"},
		{"kernel drops", &report.LiveCounts{Received: 200, KernelDropped: 80}, "pcapcheck live on eth0: 0s, 2 flows, 120 packets, 80 dropped by kernel; Ctrl-C stops and prints the full report"},
		{"interface drops", &report.LiveCounts{Received: 120, InterfaceDropped: 3}, "pcapcheck live on eth0: 0s, 2 flows, 120 packets, 0 dropped by kernel, 3 by interface; Ctrl-C stops and prints the full report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &liveScreen{iface: "eth0", started: time.Now()}
			r := &report.Report{
				Captures: []report.Capture{{Packets: 120, Live: tt.live}},
				Summary:  []report.SummaryRow{{Flows: 1}, {Flows: 1}},
			}
			assert.Equal(t, tt.want, s.statusLine(r))
		})
	}
}
