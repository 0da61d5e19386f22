// Package engine turns packet records plus a cluster inventory into flows
// and verdicts, and ends in a frozen Result.
//
// An Analyzer reads capture.Sources (interleaved by timestamp, so several
// captures of one node count a packet once) into a table of bidirectional
// TCP and UDP flows. A packet that tcpdump -i any saw on two interfaces is
// counted once; when its two sightings carry different addresses, the two
// flows are the legs of kube-proxy's DNAT and are merged into one connection
// whose nat_to names the pod kube-proxy chose.
//
// Analyzer.Result ends the reading and hands what was read to a Result: it
// orients every connection from client to server (one 24-byte ref a
// connection, sorted), judges each once (classify.go) into exactly one
// report.Verdict with its evidence (report.Evidence, a fact and its
// values), annotates it (package istio predicts the expected path with an
// Annotator), keeps what was decided as a 4-byte index into a table of the
// distinct judgements, and makes the report's facts, summary and warnings.
// Judging is remembered for what it reads of a connection, so the many
// connections of one client to one server are judged once. Result.Flows is
// an iterator that assembles each report.Flow anew from the flow table and
// the kept judgement as it is yielded. A million flows can so be written
// without being held at once, and the Result read as often as wanted;
// Collect holds them all. Snapshot makes the report of what was
// read so far without ending the reading (live capture redraws with it).
//
// A source that hands out batches (capture.Batcher) is added a batch at a
// time, software pipelined (addBatch): the index slots, flow records and
// dedupe slots of the next packets are prefetched while one is added. When
// the dedupe table is in use (tcpdump -i any), the source's framing
// goroutine computes the packets' fingerprints (capture.Preparer,
// runBatches), the work the dedupe table adds to the analyzer's share. The
// payload of a flow is looked at (l7.go) until it names something or each
// side has shown a few segments that name nothing, then no more.
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
// not allocate. Making a Result allocates a connRef and a judgement index a
// connection, and an evidence list for each connection judged anew (the
// Evidence values, and the lists kept, are shared between flows that rest
// on the same facts).
//
// Concurrency: an Analyzer is not safe for concurrent use. A Result holds
// nothing of the Analyzer that made it, never changes, and is safe for
// concurrent use: each iteration of Flows makes its flows with its own
// caches (Annotators must allow concurrent Annotate calls).
package engine
