package report

import (
	"iter"
	"net/netip"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// Schema names of the JSON and YAML documents. A change that removes or
// renames a field, or changes a field's meaning, needs a new version.
const (
	SchemaAnalyze = "pcapcheck/v1"
	SchemaCompare = "pcapcheck/compare/v1"
)

// Report is the finished analysis of one set of captures: the JSON and YAML
// documents of `pcapcheck analyze`, field for field. Its slices are sorted
// deterministically; renderers print them in order. Flows is empty in a
// report whose flows are streamed from the engine's result (engine.Result):
// renderers then take the flows as an iter.Seq beside the report.
type Report struct {
	Schema    string         `json:"schema" yaml:"schema"`
	Captures  []Capture      `json:"captures" yaml:"captures"`
	Inventory InventoryFacts `json:"inventory" yaml:"inventory"`
	Flows     []Flow         `json:"flows" yaml:"flows"`
	Summary   []SummaryRow   `json:"summary" yaml:"summary"`
	Warnings  []string       `json:"warnings" yaml:"warnings"`
	// Mesh says which Istio configuration the flows' expected paths were
	// predicted from; omitted when none was given.
	Mesh *MeshFacts `json:"mesh,omitempty" yaml:"mesh,omitempty"`
	// Node is the node a `pcapcheck agent` report was captured on; Nodes
	// lists the nodes whose reports `pcapcheck merge` merged. Both are
	// omitted from the report of a capture file.
	Node  string   `json:"node,omitempty" yaml:"node,omitempty"`
	Nodes []string `json:"nodes,omitempty" yaml:"nodes,omitempty"`
}

// All returns the report's collected flows in order.
func (r *Report) All() iter.Seq[*Flow] {
	return func(yield func(*Flow) bool) {
		for i := range r.Flows {
			if !yield(&r.Flows[i]) {
				return
			}
		}
	}
}

// Capture describes one input capture and what was read from it.
type Capture struct {
	File       string   `json:"file" yaml:"file"`
	Format     string   `json:"format" yaml:"format"`
	Compressed bool     `json:"compressed,omitempty" yaml:"compressed,omitempty"`
	LinkTypes  []string `json:"link_types" yaml:"link_types"`
	Interfaces []string `json:"interfaces,omitempty" yaml:"interfaces,omitempty"`
	// Packets counts every record read (frames, or text lines holding a packet).
	Packets int `json:"packets" yaml:"packets"`
	// Decoded counts the TCP and UDP packets among them.
	Decoded int `json:"decoded" yaml:"decoded"`
	// Skipped counts records that are not TCP or UDP, by reason.
	Skipped map[string]int `json:"skipped,omitempty" yaml:"skipped,omitempty"`
	// Problems counts records that could not be read, by kind.
	Problems map[string]int `json:"problems,omitempty" yaml:"problems,omitempty"`
	First    *time.Time     `json:"first,omitempty" yaml:"first,omitempty"`
	Last     *time.Time     `json:"last,omitempty" yaml:"last,omitempty"`
	// TimeOfDayOnly is true for tcpdump text that printed no date: its
	// times are placed on 1970-01-01.
	TimeOfDayOnly bool `json:"time_of_day_only,omitempty" yaml:"time_of_day_only,omitempty"`
	// Complete is false when the capture ended in the middle of a record or
	// could not be read to its end; Warnings say where.
	Complete bool `json:"complete" yaml:"complete"`
}

// InventoryFacts says what the inventory held, so that a reader can judge
// verdicts that depend on it.
type InventoryFacts struct {
	Files      []string `json:"files" yaml:"files"`
	Pods       int      `json:"pods" yaml:"pods"`
	Services   int      `json:"services" yaml:"services"`
	Endpoints  int      `json:"endpoints" yaml:"endpoints"`
	Nodes      int      `json:"nodes" yaml:"nodes"`
	Registries []string `json:"registries,omitempty" yaml:"registries,omitempty"`
}

// Flow is one bidirectional TCP or UDP conversation and its verdict.
type Flow struct {
	Proto capture.Transport `json:"proto" yaml:"proto"`
	// Server is the address the client sent to, before any NAT the capture
	// shows.
	Client      netip.AddrPort `json:"client" yaml:"client"`
	Server      netip.AddrPort `json:"server" yaml:"server"`
	ClientPod   inventory.Ref  `json:"client_pod,omitzero" yaml:"client_pod,omitempty"`
	ServerPod   inventory.Ref  `json:"server_pod,omitzero" yaml:"server_pod,omitempty"`
	Service     inventory.Ref  `json:"service,omitzero" yaml:"service,omitempty"`
	ServicePort uint16         `json:"service_port,omitempty" yaml:"service_port,omitempty"`
	Verdict     Verdict        `json:"verdict" yaml:"verdict"`
	// Evidence lists the facts behind the verdict, strongest first.
	Evidence []*Evidence `json:"evidence" yaml:"evidence"`
	SNI      string      `json:"sni,omitempty" yaml:"sni,omitempty"`
	ALPN     []string    `json:"alpn,omitempty" yaml:"alpn,omitempty"`
	HTTPHost string      `json:"http_host,omitempty" yaml:"http_host,omitempty"`
	// HTTPRequest is the request line of a plaintext HTTP request, "GET /reviews/1".
	HTTPRequest string `json:"http_request,omitempty" yaml:"http_request,omitempty"`
	// NATTo is the address kube-proxy translated Server to, when the
	// capture holds both legs (tcpdump -i any on a node); NATToPod names
	// its pod.
	NATTo    Endpoint      `json:"nat_to,omitzero" yaml:"nat_to,omitempty"`
	NATToPod inventory.Ref `json:"nat_to_pod,omitzero" yaml:"nat_to_pod,omitempty"`
	// Role says what the connection is when it is Istio's own traffic in
	// an injected pod; zero for the application's traffic.
	Role Role `json:"role,omitzero" yaml:"role,omitempty"`
	// Intercepted says whether the capture shows the pod's rules sending
	// the connection to the sidecar; zero when it cannot tell (the capture
	// does not hold the pod's lo).
	Intercepted Interception `json:"intercepted,omitzero" yaml:"intercepted,omitempty"`
	// Upstream is where the sidecar sent an intercepted connection, when
	// the capture shows its upstream leg: the endpoint it picked, or the
	// original destination it passed the connection through to.
	Upstream    Endpoint      `json:"upstream,omitzero" yaml:"upstream,omitempty"`
	UpstreamPod inventory.Ref `json:"upstream_pod,omitzero" yaml:"upstream_pod,omitempty"`
	// Interfaces lists the interfaces the flow was seen on.
	Interfaces Interfaces `json:"interface,omitempty" yaml:"interface,omitempty"`
	// Handshake is what the capture shows of the TCP handshake; zero for UDP.
	Handshake  Handshake  `json:"handshake,omitzero" yaml:"handshake,omitempty"`
	ClientFrom ClientFrom `json:"client_from" yaml:"client_from"`
	// Packets and Bytes count each packet once, even when tcpdump -i any saw
	// it on several interfaces; Bytes sums frame lengths as tshark's
	// conversation statistics do (transport payload for tcpdump text).
	Packets int64 `json:"packets" yaml:"packets"`
	Bytes   int64 `json:"bytes" yaml:"bytes"`
	// Duplicates counts the packets seen again on another interface.
	Duplicates int64     `json:"duplicates,omitempty" yaml:"duplicates,omitempty"`
	First      time.Time `json:"first" yaml:"first"`
	Last       time.Time `json:"last" yaml:"last"`
	// Expected is the path the Sidecar objects and mesh config predict;
	// ExpectedWhy explains, when it differs from Verdict, how that can be.
	// Package istio sets both; they are zero when no mesh configuration was
	// given or nothing can be predicted (the client is not a known pod).
	Expected    Path   `json:"expected,omitzero" yaml:"expected,omitempty"`
	ExpectedWhy string `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
	// Nodes lists, in a merged report, the nodes whose agents saw the
	// connection, sorted.
	Nodes []string `json:"nodes,omitempty" yaml:"nodes,omitempty"`
}

// Ambiguous reports whether any of the flow's evidence allows another
// reading.
func (f *Flow) Ambiguous() bool {
	for _, e := range f.Evidence {
		if e.Ambiguous {
			return true
		}
	}
	return false
}

// ClientLabel is what a summary row groups the flow's client under: its
// pod, else its IP.
func (f *Flow) ClientLabel() Label {
	if !f.ClientPod.IsZero() {
		return Label{Ref: f.ClientPod}
	}
	return Label{Addr: netip.AddrPortFrom(f.Client.Addr(), 0)}
}

// DestinationLabel is what a summary row groups the flow's destination
// under: its service, else its server pod, else the address and port it
// was sent to.
func (f *Flow) DestinationLabel() Label {
	switch {
	case !f.Service.IsZero():
		return Label{Ref: f.Service}
	case !f.ServerPod.IsZero():
		return Label{Ref: f.ServerPod}
	}
	return Label{Addr: f.Server, WithPort: true}
}

// Reached is the server the flow's traffic reached: the pod kube-proxy
// picked when the capture shows it (Via the address the client sent to),
// the endpoint the sidecar picked for an intercepted connection, else the
// address the client sent to.
func (f *Flow) Reached() Server {
	switch {
	case f.NATTo.IsValid():
		return Server{Addr: f.NATTo.AddrPort, Pod: f.NATToPod, Via: Endpoint{f.Server}}
	case f.Upstream.IsValid() && f.Upstream.AddrPort != f.Server:
		return Server{Addr: f.Upstream.AddrPort, Pod: f.UpstreamPod}
	}
	return Server{Addr: f.Server, Pod: f.ServerPod}
}

// SummaryRow groups the flows of one client, destination and verdict.
type SummaryRow struct {
	Client      Label   `json:"client" yaml:"client"`
	Destination Label   `json:"destination" yaml:"destination"`
	Verdict     Verdict `json:"verdict" yaml:"verdict"`
	// Role and Intercepted are the row's flows', as in Flow.
	Role        Role         `json:"role,omitzero" yaml:"role,omitempty"`
	Intercepted Interception `json:"intercepted,omitzero" yaml:"intercepted,omitempty"`
	Flows       int          `json:"flows" yaml:"flows"`
	// Ambiguous counts the flows whose evidence allows another reading.
	Ambiguous int      `json:"ambiguous,omitempty" yaml:"ambiguous,omitempty"`
	Packets   int64    `json:"packets" yaml:"packets"`
	Bytes     int64    `json:"bytes" yaml:"bytes"`
	Servers   []Server `json:"servers" yaml:"servers"`
	// Expected holds the row's flows' expected paths; ExpectedWhy their
	// explanations, each once, joined by "; and ".
	Expected    PathSet `json:"expected,omitzero" yaml:"expected,omitempty"`
	ExpectedWhy string  `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
	// Nodes lists, in a merged report, the nodes that saw the row's flows,
	// sorted.
	Nodes []string `json:"nodes,omitempty" yaml:"nodes,omitempty"`
}

// Server is one address a summary row's traffic reached: the pod IP the
// sidecar picked, the pod kube-proxy picked (when the capture shows it), or
// the address the client sent to.
type Server struct {
	Addr netip.AddrPort `json:"addr" yaml:"addr"`
	Pod  inventory.Ref  `json:"pod,omitzero" yaml:"pod,omitempty"`
	// Via is the ClusterIP the client sent to, when Addr is the pod
	// kube-proxy chose.
	Via Endpoint `json:"via,omitzero" yaml:"via,omitempty"`
}

// MeshFacts says what Istio configuration predicted the expected paths.
type MeshFacts struct {
	Files []string `json:"files" yaml:"files"`
	// Sidecars lists each Sidecar object read, "namespace/name from FILE:LINE".
	Sidecars []string `json:"sidecars" yaml:"sidecars"`
	// MeshConfig is where the mesh config was read; omitted when none was.
	MeshConfig    string `json:"mesh_config,omitempty" yaml:"mesh_config,omitempty"`
	RootNamespace string `json:"root_namespace" yaml:"root_namespace"`
	// OutboundTrafficPolicy is the mesh-wide mode, ALLOW_ANY or
	// REGISTRY_ONLY, and where it comes from; a Sidecar may set its own.
	OutboundTrafficPolicy string `json:"outbound_traffic_policy" yaml:"outbound_traffic_policy"`
	// IstioVersion is the Istio release the prediction follows ("1.31"),
	// IstioVersionFrom where it was taken from (--istio-version, a pod's
	// image, or pcapcheck's newest known release).
	IstioVersion     string `json:"istio_version,omitempty" yaml:"istio_version,omitempty"`
	IstioVersionFrom string `json:"istio_version_from,omitempty" yaml:"istio_version_from,omitempty"`
}

// Comparison is the document of `pcapcheck compare`.
type Comparison struct {
	Schema  string   `json:"schema" yaml:"schema"`
	Before  *Report  `json:"before" yaml:"before"`
	After   *Report  `json:"after" yaml:"after"`
	Changes []Change `json:"changes" yaml:"changes"`
	// Unchanged lists the client and destination pairs whose verdict is the
	// same on both sides.
	Unchanged []Change `json:"unchanged" yaml:"unchanged"`
}

// Change is one client and destination and its verdicts on both sides; an
// empty side ("absent") has no such traffic.
type Change struct {
	Client      Label      `json:"client" yaml:"client"`
	Destination Label      `json:"destination" yaml:"destination"`
	Before      VerdictSet `json:"before" yaml:"before"`
	After       VerdictSet `json:"after" yaml:"after"`
	Meaning     string     `json:"meaning" yaml:"meaning"`
}

// Endpoint is an address and port that may be absent. It is a
// netip.AddrPort that says, as encoding/json's omitzero and the YAML
// encoder's omitempty ask, when it is zero: a plain netip.AddrPort has only
// unexported fields, which the YAML encoder takes for empty even when set.
type Endpoint struct{ netip.AddrPort }

// IsZero reports whether there is no address.
func (e Endpoint) IsZero() bool { return !e.IsValid() }
