package inventory

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pcapcheck/pcapcheck/internal/capture"
	"github.com/pcapcheck/pcapcheck/internal/source"
)

// addFiles seeds a fuzz target with sample files.
func addFiles(f *testing.F, paths ...string) {
	f.Helper()
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseKubectlText(f *testing.F) {
	// Real layouts: the seed transcript, -A, RESTARTS with spaces, labels,
	// services with every PORT(S) form, nodes with a spaced OS-IMAGE,
	// truncated endpoint lists, and a transcript of prompts, tabs and prose.
	addFiles(f, seedShell1, "testdata/pods-all-namespaces.txt", "testdata/pods-show-labels.txt",
		"testdata/services-all-namespaces.txt", "testdata/nodes-wide.txt", "testdata/endpointslices.txt",
		"testdata/endpoints.txt", "testdata/transcript.txt", "testdata/conflicts.txt")
	// A header alone: a table with no rows.
	f.Add([]byte("NAME   READY   STATUS   RESTARTS   AGE\n"))
	// Padding squeezed to single spaces, header and row alike.
	f.Add([]byte("NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES\nweb-1 1/1 Running 2 (1h ago) 5m 10.0.0.1 n1 <none> <none>\n"))
	// A row shorter than its header: trailing cells missing.
	f.Add([]byte("NAME      TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR\nweb       ClusterIP   10.96.0.9\n"))
	// A row shifted one character left of its header.
	f.Add([]byte("NAME    READY   STATUS    RESTARTS   AGE   IP\nweb-1  1/1     Running   0         1m    10.0.0.1\n"))
	// A bare prompt, a prompt with no command, a Markdown fence.
	f.Add([]byte("$\n# \n```\nNAME   ENDPOINTS   AGE\nweb    <none>      1m\n```\n"))
	// Endpoints in IPv6 and a cut list.
	f.Add([]byte("NAME   ENDPOINTS                              AGE\nweb    [fd00::1]:80,[fd00::2]:80 + 4 more...   1m\n"))
	// An IPv4-mapped IPv6 pod address.
	f.Add([]byte("NAME    READY   STATUS    RESTARTS   AGE   IP\nweb-1   1/1     Running   0          1m    ::ffff:10.0.0.1\n"))
	// Multi-byte characters before a column: offsets count characters.
	f.Add([]byte("NAME     READY   STATUS    RESTARTS   AGE   IP\nwéb-1    1/1     Running   0          1m    10.0.0.1\n"))
	// A bash prompt with a space before the directory, an alias, a comma
	// list of kinds, a table whose header has a typo, and an istioctl
	// listing of a quoted substitution with a pipe inside it.
	f.Add([]byte("user@host ~/$ k get pods,svc -n x\nNAME   TYPE   CLUSTERIP\ndb   ClusterIP   10.0.0.1\n$ istioctl pc ep \"$(kubectl get pod | grep 'a|b' | cut -d' ' -f1)\" -n x\nENDPOINT   STATUS   OUTLIER CHECK   CLUSTER\n10.0.0.2:80   HEALTHY   OK   outbound|80||db.x.svc.cluster.local\n"))
	// Quotes and substitutions that never close, a placeholder with a
	// redirection after it.
	f.Add([]byte("$ istioctl pc ep \"$(kubectl get po <pod> > out\nENDPOINT   CLUSTER\n10.0.0.2:80   outbound|80||db.x.svc.cluster.local\n"))
	// CRLF line ends and a byte order mark.
	f.Add([]byte("\uFEFF$ kubectl -n x get svc\r\nNAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\r\na      ClusterIP   10.96.0.1    <none>        80/TCP    1m\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, "fuzz.txt", data)
	})
}

func FuzzParseObjects(f *testing.F) {
	// Real layouts: Lists, a typed NodeList whose items have no kind, a
	// single Endpoints, EndpointSlices v1/v1beta1/IPv6/FQDN, multi-document
	// YAML with skipped kinds.
	addFiles(f, "testdata/pods.json", "testdata/services.json", "testdata/endpointslices.json",
		"testdata/endpoints.json", "testdata/nodes.json", "testdata/bookinfo.yaml", "testdata/sidecar.yaml")
	// targetPort as a number in a string, and as a name.
	f.Add([]byte(`{"kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80,"targetPort":"8080"},{"port":81,"targetPort":"http"}]}}`))
	// Nulls where objects and lists belong.
	f.Add([]byte(`{"kind":"Pod","metadata":{"name":"a","labels":null},"spec":null,"status":{"podIPs":null,"podIP":null}}`))
	// A YAML alias standing for labels and an alias to itself's parent.
	f.Add([]byte("kind: Pod\nmetadata:\n  name: a\n  labels: &l {app: a}\nspec:\n  nodeSelector: *l\nstatus: {podIP: 10.0.0.1}\n"))
	// JSON escapes YAML reads differently: \/ and a surrogate pair.
	f.Add([]byte(`{"kind":"Pod","metadata":{"name":"a\/b","namespace":"\ud83d\ude00"},"status":{"podIP":"10.0.0.1"}}`))
	// An empty List, and an empty top-level list (istioctl with no match).
	f.Add([]byte(`{"kind":"List","items":[]}`))
	f.Add([]byte(`[]`))
	// A bundle's SidecarRegistry: Envoy's response under clusters, empty,
	// missing, and clusters of the wrong shape.
	f.Add([]byte(`{"kind":"List","items":[{"apiVersion":"pcapcheck.dev/v1","kind":"SidecarRegistry","metadata":{"name":"a","namespace":"x"},"clusters":{"cluster_statuses":[{"name":"outbound|80||db.x.svc.cluster.local","host_statuses":[{"address":{"socket_address":{"address":"10.0.0.2","port_value":80}}}]}]}}]}`))
	f.Add([]byte(`{"kind":"SidecarRegistry","metadata":{"name":"a"},"clusters":{}}`))
	f.Add([]byte(`{"kind":"SidecarRegistry","metadata":{"name":"a"},"clusters":[]}`))
	// Documents that are empty, a scalar, and a list of objects.
	f.Add([]byte("---\n---\nhello\n---\n- kind: Node\n  metadata: {name: n}\n"))
	// Deep nesting.
	f.Add([]byte(`{"kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[[[[[[[[[[]]]]]]]]]]}}`))
	// An EndpointSlice with a port of no number and an address of no IP.
	f.Add([]byte("kind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: s}}\naddressType: IPv4\nports: [{name: x}]\nendpoints: [{addresses: [nope]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, "fuzz.json", data)
	})
}

func FuzzParseIstioctl(f *testing.F) {
	// Real layouts: the seed's Shell 3 and Shell 5, the three table forms,
	// -o json and Envoy's own cluster statuses.
	addFiles(f, seedShell3, seedShell5, "testdata/istioctl-new.txt", "testdata/istioctl-old.txt",
		"testdata/istioctl-oldest.txt", "testdata/istioctl.json", "testdata/envoy-clusters.json")
	// Cluster names with too many or too few pipes, or a port that is no number.
	f.Add([]byte("ENDPOINT   CLUSTER\n1.2.3.4:80   outbound|80|a|b|c\n1.2.3.4:81   outbound|x||h\n1.2.3.4:82   |||\n"))
	// IPv6 without brackets, with brackets, and a zone.
	f.Add([]byte("ENDPOINT        STATUS      CLUSTER\nfd00::1:80      HEALTHY     c\n[fd00::2]:80    HEALTHY     c\nfe80::1%eth0:80   HEALTHY   c\n"))
	// Pipes and Envoy internal addresses.
	f.Add([]byte("ENDPOINT                  STATUS      OUTLIER CHECK     CLUSTER\nunix://./etc/istio/proxy/XDS     HEALTHY     OK     xds-grpc\nenvoy://connect_originate/1.2.3.4:80     HEALTHY     OK     c\n"))
	// A JSON host with a pipe, a socket address of no port, and snake_case.
	f.Add([]byte(`{"cluster_statuses":[{"name":"c","host_statuses":[{"address":{"pipe":{"path":"/s"}}},{"address":{"socket_address":{"address":"1.2.3.4"}}}]}]}`))
	// The command line names the pod in every way istioctl accepts.
	f.Add([]byte("$ istioctl pc ep pod/my-shell.default -n other\nENDPOINT   CLUSTER\n1.2.3.4:80   c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, "fuzz-istioctl.txt", data)
	})
}

// checkParse parses data and checks what must hold of any result.
func checkParse(t *testing.T, path string, data []byte) {
	inv, err := Parse(path, data)
	if inv == nil {
		t.Fatal("Parse returned a nil inventory")
	}
	if err != nil {
		var e *source.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not a *source.Error", err, err)
		}
		if e.Path != path {
			t.Fatalf("error names %q, want %q", e.Path, path)
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		if (errors.Is(err, ErrSyntax) || errors.Is(err, ErrInvalid)) && (e.Line < 1 || e.Line > lines) {
			t.Fatalf("error %v: line %d outside the input's %d lines", err, e.Line, lines)
		}
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnrecognized) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
	} else if len(inv.Files) != 1 || inv.Files[0].Kind == "" {
		t.Fatalf("a parsed file records its kind: %v", inv.Files)
	}
	checkInventory(t, inv)

	again, _ := Parse(path, data)
	if a, b := render(inv), render(again); a != b {
		t.Fatalf("two parses differ:\n%s\n%s", a, b)
	}
}

// checkInventory checks that every address read is valid, and that the index
// builds and answers for each of them.
func checkInventory(t *testing.T, inv *Inventory) {
	valid := func(what string, a []byte, ok bool) {
		if !ok {
			t.Fatalf("%s: invalid address %q", what, a)
		}
	}
	x := inv.Index()
	for _, p := range inv.Pods {
		if p.Name == "" {
			t.Fatalf("pod without a name: %+v", *p)
		}
		for _, a := range p.IPs {
			valid("pod "+p.Name, []byte(a.String()), a.IsValid() && !a.Is4In6())
			if x.Owner(a).Kind == OwnerNone {
				t.Fatalf("pod %s's address %s has no owner", p.Name, a)
			}
			x.Backends(a, 80, capture.TCP)
		}
	}
	for _, s := range inv.Services {
		for _, a := range append(append(s.ClusterIPs[:0:0], s.ClusterIPs...), s.ExternalIPs...) {
			valid("service "+s.Name, []byte(a.String()), a.IsValid() && !a.Is4In6())
			for _, p := range s.Ports {
				x.ServiceAt(a, p.Port, transportOf(p.Protocol))
			}
		}
		for _, p := range s.Ports {
			if p.Port == 0 {
				t.Fatalf("service %s has a port 0", s.Name)
			}
		}
	}
	for _, e := range inv.Endpoints {
		valid("endpoint of "+e.Service.Name, []byte(e.Addr.String()), e.Addr.IsValid() && e.Port != 0 && e.Via != 0)
		x.Backends(e.Addr, e.Port, transportOf(e.Protocol))
	}
	for _, n := range inv.Nodes {
		for _, a := range n.IPs {
			valid("node "+n.Name, []byte(a.String()), a.IsValid())
		}
	}
	for _, r := range inv.Registries {
		for _, c := range r.Clusters {
			for _, ep := range c.Endpoints {
				valid("cluster "+c.Name, []byte(ep.Addr.String()), ep.Addr.IsValid())
				x.Backends(ep.Addr.Addr(), ep.Addr.Port(), capture.TCP)
			}
		}
		x.Registry(r.Proxy)
	}
	x.Warnings()
}

// transportOf reads a Kubernetes protocol name; anything but UDP is TCP.
func transportOf(p string) capture.Transport {
	if strings.EqualFold(p, "UDP") {
		return capture.UDP
	}
	return capture.TCP
}
