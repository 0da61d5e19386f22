package render

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// The oracle of this file is html/template: the page's "flow" template
// executed on what the page showed of a flow before htmlFlowRows wrote
// the rows (flowView, made by flowViewOf as side did).

type (
	flowView struct {
		N                                     int
		Proto, Client, ClientPod, Server      string
		ServerPod, NATTo, NATToPod, Service   string
		Verdict, Handshake, ClientFrom, First string
		Packets, Bytes, Duplicates            int64
		Facts                                 []factView
		Evidence                              []string
	}
	factView struct{ Name, Value string }
)

func flowViewOf(i int, f *report.Flow, undated bool) flowView {
	fv := flowView{N: i + 1, Proto: f.Proto.String(), Client: Clean(f.Client.String()), ClientPod: Clean(f.ClientPod.String()), Server: Clean(f.Server.String()),
		ServerPod: Clean(f.ServerPod.String()), NATTo: Clean(addrText(f.NATTo.AddrPort)), NATToPod: Clean(f.NATToPod.String()), Service: Clean(f.Service.String()),
		Verdict: f.Verdict.String(), Handshake: f.Handshake.String(), ClientFrom: f.ClientFrom.String(), Packets: f.Packets, Bytes: f.Bytes,
		Duplicates: f.Duplicates, First: stamp(&f.First, undated), Evidence: cleanAll(report.Sentences(f.Evidence))}
	if f.ServicePort != 0 {
		fv.Service += ":" + strconv.Itoa(int(f.ServicePort))
	}
	add := func(name, value string) {
		if value != "" {
			fv.Facts = append(fv.Facts, factView{name, Clean(value)})
		}
	}
	add("SNI", f.SNI)
	add("ALPN", strings.Join(f.ALPN, ", "))
	add("HTTP request", f.HTTPRequest)
	add("HTTP Host", f.HTTPHost)
	add("seen on", strings.Join(f.Interfaces, ", "))
	if !f.Expected.IsZero() {
		add("expected", expectedFlowCell(f.Expected, f.Verdict))
		add("why it can differ", f.ExpectedWhy)
	}
	return fv
}

// checkFlowRows compares htmlFlowRows with the template on every flow of r,
// dated and undated.
func checkFlowRows(t *testing.T, r *report.Report) {
	t.Helper()
	for _, undated := range []bool{false, true} {
		var want bytes.Buffer
		for i := range r.Flows {
			require.NoError(t, htmlPage.ExecuteTemplate(&want, "flow", flowViewOf(i, &r.Flows[i], undated)))
		}
		var got strings.Builder
		require.NoError(t, newHTMLFlowRows(&got, undated).write(r.All()))
		assert.Equal(t, want.String(), got.String(), "undated %v", undated)
	}
}

// TestHTMLFlowRowsMatchTemplate: the flows table's rows are what the
// template writes: hostile strings, every field set, the seed's flows, the
// edge strings of the YAML tests in every string field, random flows.
func TestHTMLFlowRowsMatchTemplate(t *testing.T) {
	for name, r := range map[string]*report.Report{"hostile": hostile(), "full": fullMesh(), "seed": seedAnalysis(t), "big": bigAnalysis(t, 500)} {
		t.Run(name, func(t *testing.T) { checkFlowRows(t, r) })
	}
	t.Run("edges", func(t *testing.T) {
		for _, s := range yamlEdges {
			checkFlowRows(t, stringReport(s))
		}
	})
	t.Run("html edges", func(t *testing.T) {
		for _, s := range []string{"\x00", "a\x00b", `<>&'"+`, "&amp;", "\ufdd0\ufffe", "a\xffb", "\u202e"} {
			checkFlowRows(t, stringReport(s))
		}
	})
}

func FuzzHTMLFlowRows(f *testing.F) {
	for _, s := range yamlEdges {
		f.Add(s)
	}
	f.Add(`<script>"'&+`)
	f.Fuzz(func(t *testing.T, s string) { checkFlowRows(t, stringReport(s)) })
}

// TestHTMLRowsMatchTemplates: summary rows and the diagrams' lanes, edges
// and nodes are written as the page's templates write them, on the pages
// of hostile reports, every field set, the seed, many destinations, and
// comparisons (changed lanes, added and removed nodes and edges).
func TestHTMLRowsMatchTemplates(t *testing.T) {
	r, full, seed := hostile(), fullMesh(), seedAnalysis(t)
	// merged is a merged report's shape: summary rows that name the nodes
	// that saw them (one with a hostile name, one with none).
	merged := fullMesh()
	for i := range merged.Summary {
		merged.Summary[i].Nodes = []string{"kind-worker", "<b>node\u202e</b>"}[:i%3]
	}
	pages := map[string]pageView{
		"merged":                    analysisPage(merged, nil),
		"hostile":                   analysisPage(r, nil),
		"full":                      analysisPage(full, nil),
		"seed":                      analysisPage(seed, nil),
		"big":                       analysisPage(bigAnalysis(t, 2000), nil),
		"edges":                     analysisPage(stringReport(`<a href="x">&'+`+"\x00\xff"), nil),
		"comparison":                comparisonPage(report.Compare(r, full), nil, nil),
		"comparison of the seed":    comparisonPage(report.Compare(seed, full), nil, nil),
		"comparison with the empty": comparisonPage(report.Compare(full, &report.Report{Schema: report.SchemaAnalyze}), nil, nil),
		"golden comparison":         comparisonPage(seedComparison(t), nil, nil),
		"hostile comparison": comparisonPage(report.Compare(
			&report.Report{Schema: report.SchemaAnalyze, Flows: full.Flows[:1], Summary: full.Summary[:1]},
			&report.Report{Schema: report.SchemaAnalyze, Flows: full.Flows[1:2], Summary: full.Summary[1:2]}), nil, nil),
	}
	// seen counts the optional parts the pages hold, so that each is
	// compared at least once.
	seen := map[string]int{}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			n := 0
			check := func(tmpl string, v any, got string) {
				t.Helper()
				var want bytes.Buffer
				require.NoError(t, htmlPage.ExecuteTemplate(&want, tmpl, v))
				assert.Equal(t, want.String(), got, tmpl)
				n++
			}
			for _, s := range p.Sides {
				for i, row := range s.Summary {
					check("summary-row", row, string(appendSummaryRow(nil, &s.Summary[i])))
					seen["expected column"] += btoi(row.ExpectedColumn)
					seen["qualifier"] += btoi(row.Qualifier != "")
					seen["ambiguous"] += btoi(row.Ambiguous != 0)
					seen["nodes column"] += btoi(row.NodesColumn)
					seen["nodes"] += btoi(len(row.Nodes) > 0)
				}
			}
			for _, c := range p.Clients {
				for _, d := range c.Diagrams {
					for i, l := range d.Lanes {
						check("lane", l, string(appendLane(nil, &d.Lanes[i])))
						seen["changed lane"] += btoi(l.Change != "")
					}
					for i, e := range d.Edges {
						check("edge", e, string(appendEdge(nil, &d.Edges[i])))
						seen["edge diff"] += btoi(e.Diff != "")
						seen["edge label"] += btoi(e.Flows != "")
					}
					for i, nv := range d.Nodes {
						check("node", nv, string(appendNode(nil, &d.Nodes[i])))
						seen["node diff"] += btoi(nv.Diff != "")
						seen["node addr"] += btoi(nv.Addr != "")
					}
				}
			}
			assert.NotZero(t, n)
		})
	}
	for _, part := range []string{"expected column", "qualifier", "ambiguous", "nodes column", "nodes", "changed lane", "edge diff", "edge label", "node diff", "node addr"} {
		assert.NotZero(t, seen[part], "no page holds a %s", part)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
