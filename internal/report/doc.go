// Package report holds the finished results of pcapcheck as typed values:
// a Report of one set of captures (its flows, summary and warnings), a
// Comparison of two, and the enums they are made of (Verdict, Path,
// ClientFrom, Handshake), evidence as a Fact with its arguments, and the
// Labels that name a summary row's client and destination.
//
// Values stay values until a renderer prints them: addresses are
// netip.AddrPort, names inventory.Ref, verdicts a Verdict. Each type's
// MarshalText spells it as the documented JSON schema does, so that
// encoding/json and the YAML encoder write the schema unchanged; nothing in
// the tree parses a report's text back.
//
// Summarizer folds flows into summary rows; Compare lines up two reports'
// summaries. Neither keeps a flow.
//
// Concurrency: the types are plain values. A Report or Comparison that is
// no longer being built is safe to read from many goroutines. Evidence
// values are immutable and are shared between flows.
package report
