package report

import "fmt"

// Fact names one kind of evidence behind a verdict. Its wording is fixed
// (facts); the values it names are the Evidence's Args. The zero value is
// invalid.
type Fact uint8

// The facts the engine states, grouped by the rule that states them.
const (
	factInvalid Fact = iota

	// A Service address.
	FactServiceAddress   // server is the ClusterIP (or an external IP) of a service
	FactNotServicePort   // ambiguous: the port is not one of the service's
	FactNATShown         // the capture shows kube-proxy's DNAT to a pod
	FactNATNotShown      // kube-proxy picks the pod, this capture does not show which
	FactUDPNotIntercept  // the sidecar does not intercept UDP
	FactSNIToServiceAddr // ambiguous: an Istio SNI on a flow to a ClusterIP

	// A NAT the capture shows, to an address the inventory does not list.
	FactVirtualRewritten

	// A pod.
	FactClientNoSidecarPicked // the client pod has no istio-proxy
	FactClientIsNode          // the client is a node
	FactPodBacksNoService     // the pod backs no service on that port
	FactPodEndpoint           // the pod is an endpoint of a service
	FactPodByName             // ambiguous: that it backs it is guessed from its name
	FactAlsoBacks             // it also backs another service
	FactSNIOriginated         // an Istio SNI: a sidecar originated it
	FactSNIOtherService       // ambiguous: the SNI names another service
	FactClientNotInInventory  // the client is not in the inventory
	FactPlainHTTPToPod        // ambiguous: plaintext HTTP to a pod with a sidecar

	// A node.
	FactNode

	// Istio's SNI with no inventory entry for the server.
	FactSNIPicked
	FactSNIOnly
	FactNotInInventory

	// Nothing known.
	FactNoInventory
	FactInPodRange     // ambiguous: inside the pods' range
	FactInServiceRange // ambiguous: inside the ClusterIPs' range
	FactALPN           // an Istio ALPN: a sidecar originated it

	// The client's sidecar.
	FactClientNoSidecar    // nothing could intercept the connection
	FactClientReadyUnknown // the inventory does not list its containers
	FactSidecarKnowsYet    // ambiguous: the sidecar knows the service, yet the ClusterIP
	FactSidecarKnows       // the sidecar knows the service
	FactSidecarDoesNotKnow // the sidecar does not know the service: passthrough
	FactSidecarListMisses  // ambiguous: the sidecar's list misses the service, yet a pod IP

	// What reading the flow showed.
	FactHelloIncomplete // a ClientHello could not be read whole
	FactAggregateClient // an aggregate past --max-flows, per client and server
	FactAggregateServer // an aggregate past --max-flows, per server
	FactAggregateAll    // the last aggregate past --max-flows
	FactAllDuplicates   // every packet was counted on another flow

	// Inside an injected pod (a capture that holds its lo).
	FactRedirected            // the pod's rules sent the connection to the sidecar's 15001
	FactUpstreamDNAT          // the sidecar's upstream leg goes to an endpoint it picked
	FactUpstreamPassthrough   // the sidecar's upstream leg goes to the original destination
	FactUpstreamToPod         // the sidecar sent it on to the pod the application dialed
	FactInterceptedKnows      // no upstream leg in the capture; the registry has the service
	FactInterceptedMisses     // no upstream leg in the capture; the registry lacks the service
	FactInterceptedNoUpstream // no upstream leg and no registry: where it went is not shown
	FactRedirectOnly          // the redirected leg only: the original destination is not shown
	FactNotIntercepted        // the capture holds the pod's lo, yet this connection skipped the sidecar
	FactNotInterceptedPod     // ... and went to a pod IP: no sidecar picked it
	FactUpstreamLeg           // this flow is the sidecar's upstream leg of intercepted connections
	FactUDPToPod              // UDP to a pod IP: the client picked the pod itself
	FactLoopback              // a loopback address: the pod talking to itself
	FactRoleControlPlane
	FactRoleHealthProbe
	FactRoleMetricsScrape
	FactRoleEnvoyAdmin
	FactRoleDNSCapture
	FactRoleInbound
	FactRoleInboundDelivery
	FactRoleHBONE
	FactPooledPicks         // the sidecar's pooled legs go to endpoints; which one is not shown
	FactPooledPasses        // the sidecar's pooled legs pass through; which one is not shown
	FactHeadlessPassthrough // a headless service's pod the sidecar does not know: passed through

	// An address only an istioctl listing knows.
	FactRegistryEndpoint // the address is an endpoint in a sidecar's listing; no pod of the inventory has it

	numFacts
)

// factText is each fact's wording, a format for its Args, and whether it
// allows another reading.
var factText = [numFacts]struct {
	format    string
	ambiguous bool
}{
	FactServiceAddress:   {format: "%s is %s of service %s (%s)"},
	FactNotServicePort:   {format: "port %d/%s is not a port of %s in the inventory", ambiguous: true},
	FactNATShown:         {format: "the capture shows kube-proxy's DNAT to %s%s, paired by %s"},
	FactNATNotShown:      {format: "kube-proxy picks the pod; this capture does not show which (tcpdump -i any on the node shows both legs)"},
	FactUDPNotIntercept:  {format: "the sidecar does not intercept UDP (only DNS, when Istio's DNS capture is on)"},
	FactSNIToServiceAddr: {format: "the Istio mTLS SNI %q shows a sidecar handled this connection and sent it to the original destination (a DestinationRule with loadBalancer PASSTHROUGH does that): it is in the mesh, but kube-proxy picks the pod", ambiguous: true},
	FactVirtualRewritten: {format: "the capture shows the destination %s rewritten to %s on the way (kube-proxy's DNAT): %s is a virtual address; %s"},

	FactClientNoSidecarPicked: {format: "client pod %s has no istio-proxy container (%s): no sidecar picked this endpoint"},
	FactClientIsNode:          {format: "the client %s is node %s, which has no sidecar"},
	FactPodBacksNoService:     {format: "%s is pod %s (%s), which backs no service on port %d/%s in the inventory"},
	FactPodEndpoint:           {format: "%s is pod %s, an endpoint of service %s (%s)"},
	FactPodByName:             {format: "that %s backs %s is inferred from its name and the service's selector: the inventory lists neither endpoints nor labels (add kubectl get endpointslices -o yaml, or istioctl proxy-config endpoint output)", ambiguous: true},
	FactAlsoBacks:             {format: "it also backs %s (%s)"},
	FactSNIOriginated:         {format: "the TLS ClientHello carries Istio's mTLS SNI %q: a sidecar originated this connection"},
	FactSNIOtherService:       {format: "the SNI names %s/%s but the inventory says %s", ambiguous: true},
	FactClientNotInInventory:  {format: "the client %s is not in the inventory"},
	FactPlainHTTPToPod:        {format: "plaintext HTTP to a pod IP: a sidecar talking to a pod with a sidecar normally uses mTLS, so this may be the leg kube-proxy already translated from a ClusterIP (capture on the client's veth to see the address it sent to)", ambiguous: true},

	FactNode: {format: "%s is node %s (%s)"},

	FactRegistryEndpoint: {format: "%s is an endpoint of service %s per istioctl proxy-config endpoint; no pod of the inventory has the address (add kubectl get pods -o wide to name it)"},

	FactSNIPicked:      {format: "the TLS ClientHello carries Istio's mTLS SNI %q, naming %s port %d: a sidecar picked this endpoint"},
	FactSNIOnly:        {format: "no inventory was given; the service is read from the SNI alone"},
	FactNotInInventory: {format: "%s is not in the inventory"},

	FactNoInventory:    {format: "no inventory: cannot tell whether %s is a pod, a ClusterIP or outside the cluster (give --inventory with kubectl get pods,svc -o wide and istioctl proxy-config endpoint output)"},
	FactInPodRange:     {format: "%s is inside %s, where the inventory's pods are: it may be a pod the inventory does not list", ambiguous: true},
	FactInServiceRange: {format: "%s is inside %s, where the inventory's ClusterIPs are: it may be a service the inventory does not list", ambiguous: true},
	FactALPN:           {format: "the TLS ClientHello offers ALPN %q: a sidecar originated this connection"},

	FactClientNoSidecar:    {format: "client pod %s has no istio-proxy container: nothing could intercept the connection"},
	FactClientReadyUnknown: {format: "client pod %s is READY %s; the inventory does not list its containers, so whether one is istio-proxy is not known"},
	FactSidecarKnowsYet:    {format: "the sidecar of %s knows %s (%s), yet the client sent to the ClusterIP: the port may be excluded from interception, or the endpoint list is from another time", ambiguous: true},
	FactSidecarKnows:       {format: "the sidecar of %s knows %s (%s)"},
	FactSidecarDoesNotKnow: {format: "the sidecar of %s does not know %s port %d (%s): it passes the connection through"},
	FactSidecarListMisses:  {format: "the sidecar endpoint list of %s (%s) does not have %s port %d, yet the flow went to a pod IP: the list may be from another time, or the client addressed the pod directly", ambiguous: true},

	FactHelloIncomplete: {format: "a TLS ClientHello started but could not be read whole (cut by the snapshot length, or its segments are missing)"},
	FactAggregateClient: {format: "aggregate: the flows past the flow limit (--max-flows) from this client address to this server, client port set to 0"},
	FactAggregateServer: {format: "aggregate: the flows past the flow limit (--max-flows) from any client to this server"},
	FactAggregateAll:    {format: "aggregate: the flows past the flow limit (--max-flows) that no other aggregate took"},
	FactAllDuplicates:   {format: "all %d packets of this flow were also seen as another flow's; they are counted there"},

	FactRedirected:            {format: "the pod's rules redirected the connection to %s to the sidecar (%s on lo): the sidecar intercepted it"},
	FactUpstreamDNAT:          {format: "the sidecar sent it to %s, an endpoint it picked (its upstream leg from %s): in the mesh"},
	FactUpstreamPassthrough:   {format: "the sidecar passed it through to the original destination %s (its upstream leg from %s, PassthroughCluster): it leaves the mesh and kube-proxy picks the pod"},
	FactUpstreamToPod:         {format: "the sidecar sent it on to %s, the pod address the application dialed (its upstream leg from %s)"},
	FactInterceptedKnows:      {format: "the capture does not show where the sidecar sent it; the sidecar of %s knows %s (%s), so it picked an endpoint", ambiguous: true},
	FactInterceptedMisses:     {format: "the capture does not show where the sidecar sent it; the sidecar of %s does not know %s port %d (%s), so it passed it through", ambiguous: true},
	FactInterceptedNoUpstream: {format: "the capture does not show where the sidecar sent it (capture -i any in the pod to see its upstream leg on eth0, or give istioctl proxy-config endpoint output)"},
	FactRedirectOnly:          {format: "only the redirected leg to %s is in the capture: the address the application dialed is not (capture -i any or -i lo in the pod holds both directions)"},
	FactNotIntercepted:        {format: "the capture holds the lo of %s, where its other connections went to the sidecar, yet this one left the pod without it: never intercepted (an excluded port or address range: traffic.sidecar.istio.io/excludeOutboundPorts or excludeOutboundIPRanges)"},
	FactNotInterceptedPod:     {format: "no sidecar picked %s: the client addressed the pod itself"},
	FactUpstreamLeg:           {format: "this is the sidecar's upstream leg of %s's connection to %s, which the capture shows intercepted on lo; that connection is counted as the application's flow"},
	FactUDPToPod:              {format: "the sidecar does not intercept UDP: the client addressed pod %s itself"},
	FactLoopback:              {format: "%s is a loopback address: the pod talking to itself, never leaving it"},
	FactRoleControlPlane:      {format: "port %d is istiod's: istio-agent's control-plane connection (uid 1337, never redirected), not the application's traffic"},
	FactRoleHealthProbe:       {format: "port %d is the agent's health port, where the injector sends kubelet's probes: not the application's traffic"},
	FactRoleMetricsScrape:     {format: "port %d serves Istio's metrics: a scrape, not the application's traffic"},
	FactRoleEnvoyAdmin:        {format: "%s is Envoy's admin port, inside the pod"},
	FactRoleDNSCapture:        {format: "%s is the agent's DNS proxy: the pod's rules capture its DNS there"},
	FactRoleInbound:           {format: "a connection into %s: the pod's rules send it to the sidecar's inbound port 15006, which delivers it to the application"},
	FactRoleInboundDelivery:   {format: "the sidecar delivering an inbound connection to the application from %s over lo"},
	FactRoleHBONE:             {format: "port %d is Istio's HBONE tunnel"},
	FactPooledPicks:           {format: "the sidecar reused pooled connections to endpoints of %s (%d open): it picked an endpoint; which connection carried this one the capture does not tell"},
	FactPooledPasses:          {format: "the sidecar reused pooled connections to the original destination %s (%d open): it passed it through; which connection carried this one the capture does not tell"},
	FactHeadlessPassthrough:   {format: "%s backs only headless services, which the sidecar of %s does not know (%s): the application dialed the pod and the sidecar passed the connection through as it was, outside the mesh"},
}

// AmbiguousPrefix starts the text of evidence that allows another reading.
const AmbiguousPrefix = "ambiguous: "

// Evidence is one fact behind a verdict and the values it names
// (addresses, references, ports, positions). It is immutable: the engine
// shares one Evidence between every flow that rests on the same fact with
// the same values.
type Evidence struct {
	Fact Fact
	Args []any
	// Ambiguous says the fact allows another reading of the flow.
	Ambiguous bool
	text      string
}

// NewEvidence states fact about args. It formats the sentence once, so
// that the many flows sharing it do not format it again.
func NewEvidence(fact Fact, args ...any) *Evidence {
	if fact == factInvalid || fact >= numFacts {
		panic(fmt.Sprintf("report: invalid fact %d", fact))
	}
	t := factText[fact]
	text := fmt.Sprintf(t.format, args...)
	if t.ambiguous {
		text = AmbiguousPrefix + text
	}
	return &Evidence{Fact: fact, Args: args, Ambiguous: t.ambiguous, text: text}
}

// String is the evidence as a sentence; ambiguous evidence starts with
// AmbiguousPrefix.
func (e *Evidence) String() string { return e.text }

// MarshalText writes the sentence, as the JSON schema spells evidence.
func (e *Evidence) MarshalText() ([]byte, error) { return []byte(e.text), nil }

// Sentences returns the evidence as sentences, in order.
func Sentences(evidence []*Evidence) []string {
	out := make([]string, len(evidence))
	for i, e := range evidence {
		out[i] = e.String()
	}
	return out
}
