package engine

import "time"

// Schema names of the JSON and YAML documents. A change that removes or
// renames a field, or changes a field's meaning, needs a new version.
const (
	SchemaAnalyze = "pcapcheck/v1"
	SchemaCompare = "pcapcheck/compare/v1"
)

// Report is the finished analysis of one set of captures: the JSON and YAML
// documents of `pcapcheck analyze`, field for field. Its slices are sorted
// deterministically; renderers print them in order.
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

	// stream makes the flows of a report from Analyzer.Stream; nil for a
	// collected one (stream.go).
	stream *flowStream
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
	Proto string `json:"proto" yaml:"proto"`
	// Client and Server are IP:PORT. Server is the address the client sent
	// to, before any NAT the capture shows.
	Client      string  `json:"client" yaml:"client"`
	Server      string  `json:"server" yaml:"server"`
	ClientPod   string  `json:"client_pod,omitempty" yaml:"client_pod,omitempty"`
	ServerPod   string  `json:"server_pod,omitempty" yaml:"server_pod,omitempty"`
	Service     string  `json:"service,omitempty" yaml:"service,omitempty"`
	ServicePort int     `json:"service_port,omitempty" yaml:"service_port,omitempty"`
	Verdict     Verdict `json:"verdict" yaml:"verdict"`
	// Evidence lists the facts behind the verdict, strongest first. Entries
	// that start with "ambiguous:" say the evidence allows another reading.
	Evidence []string `json:"evidence" yaml:"evidence"`
	SNI      string   `json:"sni,omitempty" yaml:"sni,omitempty"`
	ALPN     []string `json:"alpn,omitempty" yaml:"alpn,omitempty"`
	HTTPHost string   `json:"http_host,omitempty" yaml:"http_host,omitempty"`
	// HTTPRequest is the request line of a plaintext HTTP request, "GET /reviews/1".
	HTTPRequest string `json:"http_request,omitempty" yaml:"http_request,omitempty"`
	// NATTo is the IP:PORT kube-proxy translated Server to, when the capture
	// holds both legs (tcpdump -i any on a node); NATToPod names its pod.
	NATTo    string `json:"nat_to,omitempty" yaml:"nat_to,omitempty"`
	NATToPod string `json:"nat_to_pod,omitempty" yaml:"nat_to_pod,omitempty"`
	// Interface lists the interfaces the flow was seen on, comma-separated.
	Interface string `json:"interface,omitempty" yaml:"interface,omitempty"`
	// Handshake is "complete", "syn" (no SYN-ACK seen), "syn-ack" (no SYN
	// seen), "none" (the capture started mid-connection); empty for UDP.
	Handshake string `json:"handshake,omitempty" yaml:"handshake,omitempty"`
	// ClientFrom says how the client was told: "syn", "syn-ack",
	// "inventory", "ports" or "first-packet". Anything but "syn" and
	// "syn-ack" is an inference.
	ClientFrom string `json:"client_from" yaml:"client_from"`
	// Packets and Bytes count each packet once, even when tcpdump -i any saw
	// it on several interfaces; Bytes sums frame lengths as tshark's
	// conversation statistics do (transport payload for tcpdump text).
	Packets int64 `json:"packets" yaml:"packets"`
	Bytes   int64 `json:"bytes" yaml:"bytes"`
	// Duplicates counts the packets seen again on another interface.
	Duplicates int64     `json:"duplicates,omitempty" yaml:"duplicates,omitempty"`
	First      time.Time `json:"first" yaml:"first"`
	Last       time.Time `json:"last" yaml:"last"`
	// Expected is the path the Sidecar objects and mesh config predict:
	// "sidecar-dnat", "passthrough" or "blocked" (REGISTRY_ONLY: the
	// connection should never leave the pod). ExpectedWhy explains, when it
	// differs from Verdict, how that can be. Package mesh sets both; they
	// are omitted when no mesh configuration was given or nothing can be
	// predicted (the client is not a known pod).
	Expected    string `json:"expected,omitempty" yaml:"expected,omitempty"`
	ExpectedWhy string `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
}

// SummaryRow groups the flows of one client, destination and verdict.
type SummaryRow struct {
	// Client is the client pod (namespace/name), else its IP.
	Client string `json:"client" yaml:"client"`
	// Destination is the service (namespace/name), else the server pod,
	// else IP:PORT.
	Destination string  `json:"destination" yaml:"destination"`
	Verdict     Verdict `json:"verdict" yaml:"verdict"`
	Flows       int     `json:"flows" yaml:"flows"`
	// Ambiguous counts the flows whose evidence allows another reading.
	Ambiguous int      `json:"ambiguous,omitempty" yaml:"ambiguous,omitempty"`
	Packets   int64    `json:"packets" yaml:"packets"`
	Bytes     int64    `json:"bytes" yaml:"bytes"`
	Servers   []Server `json:"servers" yaml:"servers"`
	// Expected and ExpectedWhy are the row's flows' (several values joined
	// by "+"), as in Flow.
	Expected    string `json:"expected,omitempty" yaml:"expected,omitempty"`
	ExpectedWhy string `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
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
}

// Labels returns the client and destination a summary row groups the flow
// under: the client pod, else its IP; the service, else the server pod,
// else the address it was sent to.
func (f Flow) Labels() (client, destination string) {
	return clientLabel(f), destinationLabel(f)
}

// Server is one address a summary row's traffic reached: the pod IP the
// sidecar picked, the pod kube-proxy picked (when the capture shows it), or
// the address the client sent to.
type Server struct {
	Addr string `json:"addr" yaml:"addr"`
	Pod  string `json:"pod,omitempty" yaml:"pod,omitempty"`
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

// Change is one client and destination whose verdict differs between the
// two sides. Before and After are a verdict, several joined by "+", or
// "absent" when that side has no such traffic.
type Change struct {
	Client      string `json:"client" yaml:"client"`
	Destination string `json:"destination" yaml:"destination"`
	Before      string `json:"before" yaml:"before"`
	After       string `json:"after" yaml:"after"`
	Meaning     string `json:"meaning" yaml:"meaning"`
}
