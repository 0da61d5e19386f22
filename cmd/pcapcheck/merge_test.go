package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// analyzeTo writes analyze's JSON report of capture to dir/name.
func analyzeTo(t *testing.T, dir, name, capture string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"analyze", capture, "--inventory", filepath.Join(bookinfo, "inventory"), "-o", "json"}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, stdout.Bytes(), 0o644))
	return path
}

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	a := analyzeTo(t, dir, "node-a.json", filepath.Join(bookinfo, "before", "veth.pcap"))
	b := analyzeTo(t, dir, "node-b.json", filepath.Join(bookinfo, "after", "veth.pcap"))

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"merge", a, b, "--color", "never"}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stdout.String(), "NODES")
	assert.Contains(t, stdout.String(), "node-a: "+filepath.Join(bookinfo, "before", "veth.pcap"))
	assert.Regexp(t, `^pcapcheck merge: 2 nodes, \d+ sightings, \d+ connections \(0 seen on two nodes or more, 0 of them kube-proxy legs paired\)\n$`, stderr.String())

	stdout.Reset()
	code = run(context.Background(), []string{"merge", a, b, "-o", "json"}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code)
	var doc struct {
		Schema string   `json:"schema"`
		Nodes  []string `json:"nodes"`
		Flows  []struct {
			Nodes []string `json:"nodes"`
		} `json:"flows"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc))
	assert.Equal(t, "pcapcheck/v1", doc.Schema)
	assert.Equal(t, []string{"node-a", "node-b"}, doc.Nodes)
	require.NotEmpty(t, doc.Flows)
	assert.Len(t, doc.Flows[0].Nodes, 1)

	for _, format := range []string{"yaml", "markdown", "html"} {
		stdout.Reset()
		require.Equal(t, exitOK, run(context.Background(), []string{"merge", a, b, "-o", format}, nil, &stdout, &stderr), format)
		assert.Contains(t, stdout.String(), "node-b", format)
	}
}

func TestMergeCommandErrors(t *testing.T) {
	dir := t.TempDir()
	a := analyzeTo(t, dir, "node-a.json", filepath.Join(bookinfo, "before", "veth.pcap"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "again"), 0o755))
	again := analyzeTo(t, filepath.Join(dir, "again"), "node-a.json", filepath.Join(bookinfo, "after", "veth.pcap"))
	notReport := filepath.Join(dir, "pods.json")
	require.NoError(t, os.WriteFile(notReport, []byte(`{"kind": "PodList", "items": []}`), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no argument", []string{"merge"}, "pcapcheck: merge needs one or more reports (pcapcheck agent's log or JSON); usage: pcapcheck merge REPORT... [flags]\n"},
		{"missing file", []string{"merge", filepath.Join(dir, "nope.json")}, "pcapcheck: " + filepath.Join(dir, "nope.json") + ": no such file or directory\n"},
		{"not a report", []string{"merge", notReport}, "pcapcheck: " + notReport + `: no pcapcheck report: a JSON document without "schema": expected the JSON of pcapcheck agent or pcapcheck analyze -o json` + "\n"},
		{"one node twice", []string{"merge", a, again}, `pcapcheck: two reports of one node: "node-a" twice: give each node's report once` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitBadInput, run(context.Background(), tt.args, nil, &stdout, &stderr))
			assert.Equal(t, tt.want, stderr.String())
		})
	}
}
