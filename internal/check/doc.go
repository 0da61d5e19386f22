// Package check reads an expectations file (a list of assertions about the
// flows of a capture) and checks the flows of a report against it: the
// CI regression mode of `pcapcheck check`.
//
// An expectations file is YAML: a list of rules, or a mapping whose `rules`
// key holds the list. Each rule selects flows by their client (`from`) and
// destination (`to`) with globs, and asserts one of:
//
//   - verdict: every selected flow has this verdict (or one of a list);
//   - forbid: no selected flow has any of these verdicts;
//   - match: expected — every selected flow that has a prediction took the
//     predicted path (observed verdict equals Flow.Expected);
//   - present: true — at least one flow is selected; false — none is.
//
// A glob's "*" matches any run of characters, "/" included, and "?" any
// one character; everything else matches itself. A rule matches a flow
// when `from` matches the flow's client pod, client label or client IP,
// and `to` matches its service, server pod, destination label, the address
// it was sent to or the pod kube-proxy chose. A rule may say `why`, which a
// violation repeats.
//
// Errors in the file are *source.Error values (Prefix "check") naming the
// file, line and column, wrapping ErrInvalid.
// Check reads the flows once (an engine.Result's, made as they are read)
// and returns a report.Check, which render prints. It allocates its result
// and is safe for concurrent use on different flows.
package check
