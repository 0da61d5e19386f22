// Package render renders finished reports: a terminal table, JSON, YAML,
// Markdown with a Mermaid chart, and one self-contained HTML page.
//
// Every renderer takes an analyze.Report or analyze.Comparison that is
// deterministically sorted, and prints it in order; nothing here decides or
// sorts verdicts. A streamed report (analyze.Stream) is written flow by
// flow by the JSON renderer, and made without keeping its flows by the table
// renderer without WithFlows; the others collect it first. Strings that came from packets or
// inventories are untrusted: every renderer but JSON and YAML passes them
// through clean, which spells out control characters, escape sequences and
// bidi overrides; the table then writes no escape sequence but its own
// verdict colors (WithColor); Markdown escapes its own syntax and the
// Mermaid chart writes every syntax character as an entity behind generated
// node ids; HTML goes through html/template, so they are text, never
// markup; JSON and YAML encode them as data.
//
// The HTML and Mermaid pictures are drawn from one path graph per client
// (graph.go): client → sidecar → endpoint pods for sidecar-dnat, client →
// sidecar → ClusterIP → kube-proxy → the pod it chose for passthrough, and
// the other verdicts' destinations as their own nodes. layout.go places it
// on a grid of hop columns and destination lanes whose sizes come from the
// content and are bounded, so a report of one destination and one of
// thousands both draw.
//
// Renderers hold only their options and are safe to share between
// goroutines; the HTML template is parsed once and only read after.
package render
