// Package incluster reads the cluster's inventory from the Kubernetes API
// the way a pod does (in-cluster config: the ServiceAccount's token and CA,
// KUBERNETES_SERVICE_HOST and _PORT), with net/http and nothing of
// client-go, so that the pcapcheck binary stays free of it.
//
// Client.Load lists pods, services, EndpointSlices and nodes, Istio's
// Sidecar and ServiceEntry objects (when the API serves them), and gets
// the istio ConfigMap (the mesh config) by name, and hands each list to the
// readers of packages inventory and istio, exactly as if it had been saved
// with kubectl get -o json: what the agent judges with is what analyze
// would judge with given those files. Lists are read a page (Limit
// objects) at a time.
//
// Errors name the request and say what to do: a 401 or 403 points at the
// agent's RBAC (deploy/20-rbac.yaml). A resource the API does not serve
// (no Istio installed) or an absent istio ConfigMap is not an error; the
// Snapshot says it was skipped.
//
// The token file is read for every Load, so that a projected token the
// kubelet rotates is picked up. A Client is safe for concurrent use.
package incluster
