package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/engine"
	"github.com/pcapcheck/pcapcheck/internal/render"
)

// runHere runs `pcapcheck analyze ARGS...` in the working directory runIn
// left.
func runHere(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"analyze"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestStreamedReportMatchesCollected: `analyze -o json` writes its flows
// as the result makes them, through render's own JSON writer, and the
// default table prints the summary made when the result was frozen. Both
// must say what encoding/json says of the collected report
// (engine.Result.Collect) and what the table says of it: with NAT legs
// paired, tcpdump text, a flow limit folding flows, and Sidecar objects
// predicting expected paths. (Legs paired by address are engine's
// TestLegsPairedByAddress.)
func TestStreamedReportMatchesCollected(t *testing.T) {
	lab := "../lab/testdata/run/"
	tests := []struct {
		name                 string
		captures, inventory  []string
		sidecars, meshConfig []string
		maxFlows             int
	}{
		{name: "node capture, NAT paired by packets, Sidecar", captures: []string{"after/any.pcap"},
			inventory: []string{"inventory", "after/shell5-istioctl.txt"},
			sidecars:  []string{"sidecars/file1-default.yaml"}, meshConfig: []string{"sidecars/file3-mesh-config.yaml"}},
		{name: "tcpdump text", captures: []string{"before/shell4-tcpdump.txt", "after/shell6-tcpdump.txt"},
			inventory: []string{"inventory", "after/shell5-istioctl.txt"}, sidecars: []string{"sidecars"}},
		{name: "flow limit", captures: []string{"after/any.pcap"}, inventory: []string{"inventory"}, maxFlows: 4},
		{name: "no inventory", captures: []string{"before/veth.pcap", "before/veth.pcapng"}},
		{name: "lab, REGISTRY_ONLY", captures: []string{lab + "registry-only/any.pcap", lab + "registry-only/veth.pcap"},
			inventory: []string{lab + "inventory"}, sidecars: []string{lab + "registry-only/sidecar.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxFlows := cmp.Or(tt.maxFlows, engine.DefaultMaxFlows)
			args := append([]string{"analyze", "-o", "json", "--max-flows", strconv.Itoa(maxFlows)}, tt.captures...)
			for flag, paths := range map[string][]string{"--inventory": tt.inventory, "--sidecars": tt.sidecars, "--mesh-config": tt.meshConfig} {
				for _, p := range paths {
					args = append(args, flag, p)
				}
			}
			code, out, stderr := runIn(t, bookinfo, "", args...)
			require.Equal(t, 0, code, stderr)
			var streamed schemaReport
			require.NoError(t, jsonUnmarshal(out, &streamed))

			// The same, collected, in this package's working directory.
			m := meshFlags{sidecars: tt.sidecars, meshConfig: tt.meshConfig}
			cl, err := m.load(tt.inventory)
			require.NoError(t, err)
			res, err := readSide(context.Background(), tt.captures, nil, cl, &readFlags{quiet: true, maxFlows: maxFlows}, cl.annotators(false))
			require.NoError(t, err)
			r := res.Collect()
			encoded, err := json.Marshal(r)
			require.NoError(t, err)
			var collected schemaReport
			require.NoError(t, json.Unmarshal(encoded, &collected))

			require.NotEmpty(t, collected.Flows)
			assert.Equal(t, collected, streamed)

			// The default table, which makes the flows without keeping
			// them, prints what the collected report's table prints.
			code, table, stderr := runHere(t, args[3:])
			require.Equal(t, 0, code, stderr)
			render, err := render.New(render.Table)
			require.NoError(t, err)
			var want bytes.Buffer
			require.NoError(t, render.Analysis(&want, r, nil))
			assert.Equal(t, want.String(), table)
		})
	}
}
