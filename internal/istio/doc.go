// Package istio predicts, from Istio's configuration, which path each flow of
// a capture should take, and proposes the configuration that would keep the
// observed traffic in the mesh.
//
// # What it accepts
//
// Config reads Istio Sidecar objects (networking.istio.io v1, v1beta1 and
// v1alpha3; one object, a List, or several YAML or JSON documents, as
// `kubectl get sidecars -A -o yaml` prints them) and the mesh config in any
// of the forms it is kept in: the `istio` ConfigMap with its `mesh` key, that
// key alone (`mesh: |` followed by the MeshConfig YAML), a bare MeshConfig,
// the `meshConfig:` block of Helm values, or an IstioOperator's
// spec.meshConfig (and, given as --mesh-config, {}: every field at its
// default). ServiceEntry objects add their hosts to the registry.
// Config.Take is the hook inventory.LoadWith calls for
// documents the inventory does not read, so that such files are picked up
// from an --inventory directory too; Config.Load reads --sidecars and
// --mesh-config files through the same hook.
//
// # What it predicts, and from which rules
//
// Config.ScopeFor decides which Sidecar applies to a pod and which services
// its sidecar knows, as istiod does (pilot/pkg/model/push_context.go
// getSidecarScope, pilot/pkg/model/sidecar.go): a Sidecar of the pod's
// namespace whose workloadSelector matches the pod's labels, else the
// namespace's Sidecar without selector, else the root namespace's, else none
// (every service exported to the namespace). Ties go to the oldest
// creationTimestamp, then name, then namespace. Egress hosts are read as
// `namespace/dnsName`; services hidden by networking.istio.io/exportTo are
// out. The outbound traffic policy is the Sidecar's, else the mesh config's,
// else ALLOW_ANY. The tests name the Istio source of every rule.
//
// Rules that changed between Istio releases follow Config.Version (1.31,
// istiod release-1.31, unless --istio-version or the inventory's istiod or
// proxyv2 image says 1.30): the "~ns/" exclusion of egress hosts and the
// reading of defaultServiceExportTo. Scope.Notes and the explanations name
// the rule and the release where one of them decided.
// fixtures/oracle's TestIstioScope compares the scopes with istiod's own
// answers, recorded for both releases.
//
// Scope.Expect turns that into the path a flow should take: sidecar-dnat
// (the sidecar knows the service and picks the endpoint), passthrough (it
// does not, or there is no sidecar, and kube-proxy picks the pod) or blocked
// (REGISTRY_ONLY: the sidecar drops it). Annotate writes the prediction into
// a finished analyze.Report. Suggest writes the Sidecar objects that would
// keep every observed destination in the mesh.
//
// # What it guarantees
//
// Errors name the file, line and column of the bad value: a *source.Error,
// named the mesh's ("mesh: ...") by Load and Parse and the inventory's when
// reached through an inventory load. Everything that
// does not stop reading (a Sidecar read twice, two Sidecars matching one pod,
// labels the inventory does not know) is a warning. Results are sorted and
// deterministic.
//
// # Concurrency
//
// A Config is filled by one goroutine; once loaded it is only read, and
// ScopeFor, Scope methods and Annotate may run concurrently on different
// reports. Annotate modifies the report it is given.
package istio
