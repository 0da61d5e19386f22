// Package reports renders finished reports as text: a terminal table, JSON,
// YAML and Markdown.
//
// Every renderer takes an analyze.Report or analyze.Comparison that is
// already complete and deterministically sorted, and prints it in order;
// nothing here decides or sorts. Strings that came from packets or
// inventories are untrusted: the table strips control characters and escape
// sequences before they reach a terminal, Markdown escapes its own syntax,
// and JSON and YAML encode them as data.
//
// Renderers hold only their options and are safe to share between
// goroutines.
package reports
