package merge

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// renderJSON writes r as pcapcheck's JSON renderer does, indented.
func renderJSON(t *testing.T, r *report.Report) []byte {
	t.Helper()
	rd, err := render.New(render.JSON)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rd.Analysis(&b, r, nil))
	return b.Bytes()
}

// line is r as one line of an agent's log.
func line(t *testing.T, r *report.Report) string {
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, renderJSON(t, r)))
	return b.String()
}

func TestRead(t *testing.T) {
	early := node("kind-worker", flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0))
	late := node("kind-worker", flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0),
		flow("10.244.2.34:40001", "10.96.209.151:9080", report.Passthrough, 0))
	tests := []struct {
		name      string
		in        string
		wantFlows int
		wantErr   string
		wantLine  int
	}{
		{name: "an indented document (analyze -o json)", in: string(renderJSON(t, late)), wantFlows: 2},
		{name: "a log: the last report wins, other lines are skipped",
			in: "pcapcheck agent: capturing on any\n" + line(t, early) + "\n" + "some stderr line {not json}\n" + line(t, late) + "\n", wantFlows: 2},
		{name: "a log cut in the middle of its last report keeps the one before",
			in: line(t, early) + "\n" + line(t, late)[:200], wantFlows: 1},
		{name: "kubectl logs --timestamps", in: "2026-12-05T14:29:00.000000000Z " + line(t, late) + "\n", wantFlows: 2},
		{name: "empty", in: "", wantErr: "no pcapcheck report: the input is empty"},
		{name: "no report in a log", in: "starting\nstopping\n", wantErr: "no pcapcheck report in it"},
		{name: "only a cut report", in: "starting\n" + line(t, late)[:100], wantErr: "cut short", wantLine: 2},
		{name: "a comparison is not a node's report", in: `{"schema": "pcapcheck/compare/v1"}`, wantErr: `a report of schema "pcapcheck/compare/v1"`},
		{name: "JSON that is no report", in: `{"kind": "PodList"}`, wantErr: "no pcapcheck report"},
		{name: "a report whose verdict does not read back", in: `{"schema": "pcapcheck/v1", "flows": [{"verdict": "maybe"}]}`, wantErr: `unknown verdict "maybe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Read("node.log", strings.NewReader(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.True(t, strings.HasPrefix(err.Error(), "merge: node.log"), err.Error())
				var re *ReadError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.wantLine, re.Line)
				assert.NotContains(t, err.Error(), "\n", "one line")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "kind-worker", r.Node)
			assert.Len(t, r.Flows, tt.wantFlows)
		})
	}
}

func TestReadFileNamesNode(t *testing.T) {
	dir := t.TempDir()
	r := node("", flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0))
	path := filepath.Join(dir, "worker-3.json")
	require.NoError(t, os.WriteFile(path, renderJSON(t, r), 0o644))
	got, err := ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "worker-3", got.Node)

	_, err = ReadFile(filepath.Join(dir, "missing.json"))
	require.EqualError(t, err, "merge: "+filepath.Join(dir, "missing.json")+": no such file or directory")
}

// TestMergedJSONReadsBack holds the JSON renderer's new members (node,
// nodes, a flow's and a row's nodes) to what encoding/json writes, and a
// merged report to reading back as it was.
func TestMergedJSONReadsBack(t *testing.T) {
	in := []*report.Report{
		node("a", flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0, natTo("10.244.1.31:9080", "bookinfo/reviews-v2"), service("bookinfo/reviews"))),
		node("b", flow("10.244.2.34:40000", "10.244.1.31:9080", report.SidecarDNAT, 0, service("bookinfo/reviews"))),
	}
	out, _, err := Merge(in, Options{})
	require.NoError(t, err)
	got := renderJSON(t, out)
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(out))
	assert.Equal(t, want.String(), string(got), "the renderer writes what encoding/json writes (-want +got)")
	back, err := Read("merged.json", bytes.NewReader(got))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, back.Nodes)
	assert.Equal(t, []string{"a", "b"}, back.Flows[0].Nodes)
	assert.Equal(t, []string{"a", "b"}, back.Summary[0].Nodes)
}
