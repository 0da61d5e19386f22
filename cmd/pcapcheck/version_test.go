package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBuildVersion: --version says which build this is, from the record Go
// keeps in the binary, not "dev".
func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go install of a tagged module", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0"},
		{"go build in a clean clone", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("52806ab0123456789abcdef", "false")}, true, "devel 52806ab01234"},
		{"go build with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("52806ab0123456789abcdef", "true")}, true, "devel 52806ab01234, modified"},
		{"no VCS information (-buildvcs=false)", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel"},
		{"no build information", nil, false, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildVersion(tt.info, tt.ok)
			assert.True(t, strings.HasPrefix(got, tt.want+" (gzip read with "), got)
		})
	}
}

// TestInterruptedExits130: a run Ctrl-C (or SIGTERM) stops before its
// report says so on one line and exits 130, as a shell reports a command
// SIGINT ended.
func TestInterruptedExits130(t *testing.T) {
	t.Chdir(bookinfo)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"analyze", "before/veth.pcap", "--inventory", "inventory"}, strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, 130, code)
	assert.Equal(t, "pcapcheck: interrupted\n", stderr.String())
	assert.Empty(t, stdout.String())
}
