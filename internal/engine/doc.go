// Package engine turns packet records plus a cluster inventory into flows,
// verdicts and reports.
//
// An Analyzer reads capture.Sources (interleaved by timestamp, so several
// captures of one node count a packet once) into a table of bidirectional
// TCP and UDP flows. A packet that tcpdump -i any saw on two interfaces is
// counted once; when its two sightings carry different addresses, the two
// flows are the legs of kube-proxy's DNAT and are merged into one connection
// whose nat_to names the pod kube-proxy chose. Report then orients every
// connection from client to server and gives it exactly one Verdict, with
// the evidence behind it. Stream does the same one flow at a time: it keeps
// 24 bytes a connection and makes each Flow as Report.EachFlow visits it,
// so that a million flows can be written without being held at once; an
// Annotator (package mesh predicts expected paths with one) sees each flow
// as it is made. Collect turns a streamed report into an ordinary one.
//
// Memory grows with flows, not packets: a flow is a 128-byte record in a
// paged table (flowtable.go) plus what its payload named. Past
// Options.MaxFlows, new flows are folded into aggregates per client address
// and destination (fold.go), so that a hostile or huge capture cannot
// exhaust memory; the report warns how many were folded. A single pcap
// source, which cannot hold a packet twice, skips the table of packet
// fingerprints that recognizes a packet seen on two interfaces.
//
// What allocates: Add allocates only for a new flow (a page of the table
// every 4096 flows, and the index as it doubles) and for what a payload
// names (SNI, ALPN, HTTP Host), once per flow. Updating a known flow does
// not allocate. Report allocates freely; Stream allocates a connRef a
// connection, and each flow's strings while it is visited.
//
// Concurrency: an Analyzer is not safe for concurrent use. A collected
// Report is a plain value, safe to read from many goroutines once returned;
// a streamed one is read once, by one goroutine, while its Analyzer is
// left alone.
package engine
