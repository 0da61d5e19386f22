// Package merge turns the reports of several nodes' `pcapcheck agent`s
// into one cluster-wide report, as `pcapcheck merge` and the kubectl
// plugin's audit print it.
//
// A connection between two nodes is captured twice: on the client's node
// (with tcpdump -i any, the pod's veth shows the address the client sent to,
// a ClusterIP, and the node's uplink the pod kube-proxy translated it to:
// the report's nat_to) and on the server's node (the translated address
// only, which alone reads like a sidecar's pick). Merge counts such a
// connection once: flows of different nodes are one connection when they
// share the protocol and the client's address and port, overlap in time
// (within Options.Skew), and name the same server: the same address sent
// to, the same translated address (one node's nat_to is the other's
// server), or the same service. Of the sightings, the one that shows most
// of the path stands for the connection (the client's node's, with
// kube-proxy's translation, before the server's node's); the others add
// their nodes, their interfaces (as NODE/IFACE) and what their inventory
// named that it did not. Packets and bytes are the largest sighting's:
// each packet is counted once.
//
// The summary has a row per client workload (Workload tells it by the
// pod's generated name), destination and verdict, naming the nodes that
// saw its flows; Options.ByPod keeps a row per pod.
//
// Read reads one report back: a `pcapcheck agent` log (one JSON report a
// line, the last complete one wins, other lines ignored), --write-report's
// file, or `pcapcheck analyze -o json`.
//
// What Merge cannot do: pair the legs of a connection that a node
// masqueraded (SNAT to the node's address), since the server's node then
// sees another client address; and tell that a connection seen only on the
// server's node was sent to a ClusterIP, when the client's node sent no
// report. Stats says how many sightings were paired.
//
// Merge and Read keep no state; the reports they return share nothing
// with their inputs' slices but strings and evidence, which are
// immutable, and are safe to read from many goroutines.
package merge
