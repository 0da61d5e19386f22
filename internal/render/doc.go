// Package render is the one place where pcapcheck's results become text:
// every output of every command (analyze, compare and live: a terminal
// table, JSON, YAML, Markdown with a Mermaid chart, one self-contained HTML
// page; scope and check: a table, JSON, YAML). One -o vocabulary
// (ParseFormatFor) says which formats each document has.
//
// Every renderer takes typed values from package report, deterministically
// sorted, and prints them in order; nothing here decides or sorts verdicts,
// and nothing parses a report's text back. A report's flows come beside it
// as an iter.Seq (an engine.Result's Flows, made as they are read): the JSON
// and YAML renderers write them one at a time, the summary table reads none,
// HTML reads them twice (for the diagrams, then for the flows table that
// comes after them), and the others collect them. JSON and YAML are written by hand where a
// report holds thousands of values (flows, summary rows) and held byte for
// byte, by tests, to what encoding/json and go.yaml.in/yaml/v3 write of
// the same types; those encoders write every other part. Strings that came from packets or inventories are
// untrusted: every renderer but JSON and YAML passes them through Clean, the
// one sanitizer of the tree (suggest's comments and the CLI's error line use
// it too), which spells out control characters, escape sequences, line
// separators and bidi overrides; the table then writes no escape sequence but its own
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
