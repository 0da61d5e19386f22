// Package analyze turns packet records plus a cluster inventory into flows,
// verdicts and reports.
//
// An Analyzer reads capture.Sources (interleaved by timestamp, so several
// captures of one node count a packet once) into a table of bidirectional
// TCP and UDP flows. A packet that tcpdump -i any saw on two interfaces is
// counted once; when its two sightings carry different addresses, the two
// flows are the legs of kube-proxy's DNAT and are merged into one connection
// whose nat_to names the pod kube-proxy chose. Report then orients every
// connection from client to server and gives it exactly one Verdict, with
// the evidence behind it.
//
// What allocates: Add allocates only for a flow's first packet (its table
// entry) and for what a payload names (SNI, ALPN, HTTP Host), once per
// flow. Updating a known flow does not allocate. Report allocates freely.
//
// Concurrency: an Analyzer is not safe for concurrent use. A Report is a
// plain value, safe to read from many goroutines once returned.
package analyze
