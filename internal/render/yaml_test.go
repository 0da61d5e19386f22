package render

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// The oracle of this file is go.yaml.in/yaml/v3's own encoder (writeYAML
// of the whole document): the streaming writer must print what it prints,
// byte for byte.

// yamlOracle is the encoder's document of v.
func yamlOracle(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeYAML(&b, v))
	return b.String()
}

func yamlStreamed(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	switch v := v.(type) {
	case *report.Report:
		require.NoError(t, yamlRenderer{}.Analysis(&b, v, nil))
	case *report.Comparison:
		require.NoError(t, yamlRenderer{}.Comparison(&b, v, nil, nil))
	default:
		t.Fatalf("no YAML document of %T", v)
	}
	return b.String()
}

// fullMesh is hostileMesh with every optional field of a flow and a
// summary row set, so that the writer's every member is compared.
func fullMesh() *report.Report {
	r := hostileMesh()
	for i := range r.Flows {
		f := &r.Flows[i]
		f.Handshake, f.Duplicates, f.ServicePort = report.HandshakeComplete, 3, 9080
		f.Expected, f.ExpectedWhy = report.ExpectPassthrough, "why "+scriptTag
		f.Role, f.Intercepted = report.RoleSidecarUpstream, report.Intercepted
		f.Upstream, f.UpstreamPod = ep("[fd00::7]:9080"), ref("bookinfo/reviews-v2")
		f.Nodes = []string{"kind-worker", "node " + scriptTag}
		f.NATTo, f.NATToPod = ep("10.244.1.31:9080"), ref("bookinfo/reviews-v2")
		f.ClientFrom = report.BySynAck
	}
	r.Flows[1].Intercepted = report.NotIntercepted
	for i := range r.Summary {
		row := &r.Summary[i]
		row.Role, row.Intercepted, row.Ambiguous, row.Bytes = report.RoleSidecarUpstream, report.Intercepted, 1, 77
		row.Expected, row.ExpectedWhy = report.PathSet(0).Add(report.ExpectEgress), "why not"
		row.Servers = append(row.Servers, report.Server{Addr: ap("10.244.2.31:9080"), Via: ep("10.96.209.151:9080")})
		row.Nodes = []string{"kind-worker", "kind-worker2"}
	}
	r.Node, r.Nodes = "kind-worker", []string{"kind-worker", "kind-worker2"}
	r.Mesh = &report.MeshFacts{Files: []string{"mesh.yaml"}, Sidecars: []string{"default/default from mesh.yaml:1"}, RootNamespace: "istio-system",
		OutboundTrafficPolicy: "ALLOW_ANY"}
	return r
}

// TestFullMeshSetsEveryField keeps fullMesh true to its name as fields are
// added to the model: a field it leaves zero is one the hand-written JSON
// and YAML writers are never compared on (a merged report's nodes once went
// missing from YAML that way).
func TestFullMeshSetsEveryField(t *testing.T) {
	r := fullMesh()
	unset := func(v reflect.Value) []string {
		var names []string
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).IsZero() {
				names = append(names, v.Type().Field(i).Name)
			}
		}
		return names
	}
	require.NotEmpty(t, r.Flows)
	require.NotEmpty(t, r.Summary)
	assert.Empty(t, unset(reflect.ValueOf(r.Flows[0])), "flow fields fullMesh leaves unset")
	assert.Empty(t, unset(reflect.ValueOf(r.Summary[0])), "summary row fields fullMesh leaves unset")
}

// TestYAMLStreamMatchesEncoder: the streaming writer prints what the
// encoder prints of the same documents: hostile strings, every field set
// and none, a comparison, the flows given as a sequence, and every golden
// JSON document of the bookinfo fixtures read back.
func TestYAMLStreamMatchesEncoder(t *testing.T) {
	r, full := hostile(), fullMesh()
	empty := &report.Report{Schema: report.SchemaAnalyze}
	bare := &report.Report{Schema: report.SchemaAnalyze, Flows: []report.Flow{{Proto: tcp, Client: ap("10.0.0.1:1"), Server: ap("10.0.0.2:2"), Verdict: report.Unknown}},
		Summary: []report.SummaryRow{{Client: label("10.0.0.1"), Destination: label("10.0.0.2:2"), Verdict: report.Unknown, Flows: 1}}}
	docs := map[string]any{
		"hostile":          r,
		"full":             full,
		"bare":             bare,
		"empty":            empty,
		"comparison":       report.Compare(r, full),
		"empty comparison": &report.Comparison{Schema: report.SchemaCompare, Before: empty, After: empty},
	}
	goldens, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "bookinfo", "golden", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	for _, g := range goldens {
		raw, err := os.ReadFile(g)
		require.NoError(t, err)
		var v any = &report.Report{}
		if strings.HasPrefix(filepath.Base(g), "compare") {
			v = &report.Comparison{}
		}
		require.NoError(t, json.Unmarshal(raw, v), g)
		docs["golden "+filepath.Base(g)] = v
	}
	for name, v := range docs {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, yamlOracle(t, v), yamlStreamed(t, v))
		})
	}
	t.Run("streamed", func(t *testing.T) {
		header := *full
		header.Flows = nil
		var b bytes.Buffer
		require.NoError(t, yamlRenderer{}.Analysis(&b, &header, full.All()))
		assert.Equal(t, yamlOracle(t, full), b.String())
	})
}

// yamlEdges are strings at the edges of the encoder's choices: ones that
// read back as another type (double-quoted), ones plain text cannot hold
// (single-quoted), and ones it leaves to the encoder (control characters,
// line breaks, non-ASCII, invalid UTF-8).
var yamlEdges = []string{
	"", " ", "a", "plain text", "10.96.0.10:53", "[fd00::1]:80", "[fe80::1%eth0]:80",
	"true", "False", "yes", "Off", "y", "~", "null", "NULL", "<<", "<", ".inf", "-.Inf", ".5", ".x", ".", "...", "---", "--- a", "-", "- a", "-a",
	"1", "-1", "+1", "0x1F", "0o17", "0b101", "-0b101", "-0o17", "1_000", "017", "1e3", "1.5e-3", "1.", "+.5", "1e", "1:20", "1:60", "-1:2:3.5", "190:20:30",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14x", "12-14", "99999999999999999999", "0b2",
	"a: b", "a:b", "a:", ":a", ": a", "?a", "? a", "a #b", "a#b", "#a", "a ", " a", "'q'", "it's", `"q"`, `back\slash`, "a,b", "[x]", "{x}", "&a", "*a", "!a", "|a", ">a", "%a", "@a", "`a",
	"a\tb", "a\nb", "a\n", "\na", "a\n\nb", "a \nb", "a\r\nb", "a\x1b[2Jb", "réseau", "a\u0085b", "a\u2028b", "\ufeffa", "a\xffb", "\x00",
}

// TestYAMLScalarMatchesEncoder: each edge string, in every place a flow,
// a summary row and a change print a string, comes out as the encoder
// writes it.
func TestYAMLScalarMatchesEncoder(t *testing.T) {
	for _, s := range yamlEdges {
		t.Run(s, func(t *testing.T) { checkYAMLString(t, s) })
	}
}

func FuzzYAMLString(f *testing.F) {
	for _, s := range yamlEdges {
		f.Add(s)
	}
	f.Fuzz(checkYAMLString)
}

// checkYAMLString compares the writer with the encoder on a report and a
// comparison that hold s in every string member of a flow, a summary row
// and a change.
func checkYAMLString(t *testing.T, s string) {
	t.Helper()
	r := stringReport(s)
	assert.Equal(t, yamlOracle(t, r), yamlStreamed(t, r), "analysis")
	c := report.Compare(r, &report.Report{Schema: report.SchemaAnalyze})
	c.Changes[0].Meaning = s
	assert.Equal(t, yamlOracle(t, c), yamlStreamed(t, c), "comparison")
}

func stringReport(s string) *report.Report {
	first := time.Date(2025, 3, 14, 15, 10, 6, 123456789, time.UTC)
	f := report.Flow{Proto: tcp, Client: ap("10.244.2.34:42122"), Server: ap("10.96.209.151:9080"), Verdict: report.Passthrough,
		ClientPod: inventory.Ref{Namespace: "default", Name: s}, Service: inventory.Ref{Name: s}, ServerPod: inventory.Ref{Namespace: s, Name: "p"},
		Evidence: evidence(s, "x"+s), SNI: s, ALPN: []string{s, "h2"}, HTTPHost: s, HTTPRequest: s, Interfaces: report.Interfaces{s},
		ExpectedWhy: s, Expected: report.ExpectSidecarDNAT, Packets: 1, Bytes: 60, First: first, Last: first}
	row := report.SummaryRow{Client: report.Label{Ref: f.ClientPod}, Destination: report.Label{Ref: f.Service}, Verdict: report.Passthrough, Flows: 1,
		Servers: []report.Server{{Addr: f.Server, Pod: f.ServerPod}}, ExpectedWhy: s}
	return &report.Report{Schema: report.SchemaAnalyze, Flows: []report.Flow{f}, Summary: []report.SummaryRow{row}, Warnings: []string{s}}
}

// TestYAMLRandomReports: reports of random flows, each field drawn from
// the edge strings, addresses of both families, and empty values, print
// as the encoder prints them.
func TestYAMLRandomReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	pick := func() string {
		if rng.IntN(3) == 0 {
			return ""
		}
		return yamlEdges[rng.IntN(len(yamlEdges))]
	}
	addr := func() netip.AddrPort {
		switch rng.IntN(4) {
		case 0:
			return netip.AddrPortFrom(netip.AddrFrom16([16]byte{0xfd, 15: byte(rng.IntN(256))}), uint16(rng.IntN(65536)))
		case 1:
			return netip.AddrPort{}
		}
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}), uint16(rng.IntN(65536)))
	}
	for i := range 50 {
		r := &report.Report{Schema: report.SchemaAnalyze, Warnings: []string{pick()}}
		for range rng.IntN(20) {
			first := time.Unix(rng.Int64N(2e9), rng.Int64N(1e9)).UTC()
			f := report.Flow{Proto: tcp, Client: addr(), Server: addr(), Verdict: report.Verdict(1 + rng.IntN(int(report.Unknown))),
				ClientPod: ref(pick()), ServerPod: ref(pick()), Service: ref(pick()), ServicePort: uint16(rng.IntN(2) * 80),
				SNI: pick(), HTTPHost: pick(), HTTPRequest: pick(), NATTo: report.Endpoint{AddrPort: addr()}, NATToPod: ref(pick()),
				Upstream: report.Endpoint{AddrPort: addr()}, UpstreamPod: ref(pick()), Intercepted: report.Interception(rng.IntN(3)),
				Packets: rng.Int64N(1e6), Bytes: rng.Int64N(1e9), Duplicates: rng.Int64N(2), First: first, Last: first.Add(time.Second),
				ExpectedWhy: pick()}
			for range rng.IntN(3) {
				f.Evidence = append(f.Evidence, evidence(pick())...)
				f.ALPN = append(f.ALPN, pick())
			}
			if s := pick(); s != "" {
				f.Interfaces = report.Interfaces{s}
			}
			r.Flows = append(r.Flows, f)
			row := report.SummaryRow{Client: f.ClientLabel(), Destination: f.DestinationLabel(), Verdict: f.Verdict, Intercepted: f.Intercepted,
				Flows: 1, Packets: f.Packets, ExpectedWhy: pick()}
			for range rng.IntN(3) {
				row.Servers = append(row.Servers, f.Reached())
			}
			r.Summary = append(r.Summary, row)
		}
		assert.Equal(t, yamlOracle(t, r), yamlStreamed(t, r), "report %d", i)
	}
}
