// Package inventory reads what a Kubernetes+Istio cluster looked like when a
// capture was taken, and answers who owned an address.
//
// # What it accepts
//
// Load and Parse read, telling each file's kind by its content:
//
//   - kubectl get pods, services, nodes, endpointslices and endpoints as
//     tables: with or without -o wide, -A (a NAMESPACE column) and
//     --show-labels (a LABELS column), saved bare or pasted from a terminal
//     with the prompt lines that say the namespace (-n NS, --namespace);
//   - kubectl get -o json and -o yaml: one object, a List, or several YAML
//     documents, of kinds Pod, Service, EndpointSlice, Endpoints and Node
//     (other kinds are skipped with a warning, or, with LoadWith and
//     Options.Documents, handed to the caller: package mesh takes Istio
//     Sidecar objects and mesh configs found among the listings this way);
//   - an inventory bundle, as kubectl pcapcheck inventory writes it: one
//     List of all the above, Istio objects and the istio ConfigMap (handed to
//     Options.Documents), and SidecarRegistry items (apiVersion
//     pcapcheck.dev/v1) each holding one sidecar's Envoy /clusters response
//     and naming its pod (see bundle.go);
//   - istioctl proxy-config endpoint POD, as a table (the current ENDPOINT
//     STATUS OUTLIER CHECK CLUSTER form and the older ones) or as -o json or
//     -o yaml, giving the endpoints one sidecar knew (a Registry).
//
// A namespace the input does not state is "", never "default".
//
// # What it guarantees
//
// An error is a *source.Error (Prefix "inventory") naming the file, the
// line and column where reading stopped and what was expected there, and
// wraps one of ErrUnrecognized, ErrSyntax, ErrInvalid or ErrRead. Parse returns what it read before a bad
// line along with the error; nothing read is dropped silently. Everything
// that does not stop reading (skipped kinds, lists kubectl cut short,
// unrecognized files in a directory, conflicting claims on an address) is a
// warning. Results are deterministic: files are read in sorted order, and
// ties are broken by namespace/name.
//
// Index answers, for an address seen in a capture, which object owns it
// (Owner), which Service it is (ServiceAt) and which Services it backs
// (Backends, with how that is known: EndpointSlice, Endpoints, a sidecar's
// registry, a selector, or a guess from the pod's name).
//
// # What allocates
//
// Parsing allocates the inventory and, for JSON and YAML, a node tree of the
// whole file. Owner, ServiceAt, Pod and Registry do not allocate; Backends
// allocates only its result.
//
// # Concurrency
//
// Parse and Load share no state and may run concurrently. An Inventory is
// plain data. Inventory.Index builds an Index once; after that the
// inventory must not change, and the Index is safe for concurrent use.
package inventory
