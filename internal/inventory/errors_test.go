package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

func TestParseErrors(t *testing.T) {
	const podsHeader = "NAME                         READY   STATUS    RESTARTS   AGE   IP            NODE          NOMINATED NODE   READINESS GATES\n"
	const svcHeader = "NAME      TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)    AGE   SELECTOR\n"
	tests := []struct {
		name string
		path string
		in   string
		is   error
		msg  string // the whole Error()
		// partial counts what was read before the error: pods, services,
		// endpoints, registries' clusters.
		pods, services, endpoints, clusters int
	}{
		{
			name: "pod IP that does not parse",
			path: "pods.txt",
			in: podsHeader +
				"reviews-v1-5c4d6d447c-qwmbv  2/2     Running   0          18m   10.244.2.31   kind-worker   <none>           <none>\n" +
				"reviews-v3-f68f94645-bmzrn   2/2     Running   0          18m   10.244.2.x    kind-worker   <none>           <none>\n",
			is:   ErrInvalid,
			msg:  `inventory: pods.txt:3:65: expected an IP address or <none> under IP, found "10.244.2.x"`,
			pods: 1,
		},
		{
			name: "row with a cell too many",
			path: "pods.txt",
			in: podsHeader +
				"reviews-v3-f68f94645-bmzrn   2/2     Running   0          18m   10.244.2.32   kind-worker   <none>           <none>            extra\n",
			is:  ErrSyntax,
			msg: `inventory: pods.txt:2:128: unexpected "extra" after READINESS GATES: the row has 10 cells but the header has 9 columns`,
		},
		{
			name: "row whose values ran together",
			path: "pods.txt",
			in:   podsHeader + "reviews-v3-f68f94645-bmzrn 2/2 Running\n",
			is:   ErrSyntax,
			msg:  `inventory: pods.txt:2:1: expected one value under NAME, found "reviews-v3-f68f94645-bmzrn 2/2 Running" (a row whose columns are not aligned with the header)`,
		},
		{
			name: "service port with an unknown protocol",
			path: "svc.txt",
			in: "$ kubectl -n bookinfo get svc -o wide\n" + svcHeader +
				"details   ClusterIP   10.96.117.59    <none>        9080/TCP   20m   app=details\n" +
				"reviews   ClusterIP   10.96.209.151   <none>        9080/HTTP  20m   app=reviews\n",
			is:       ErrInvalid,
			msg:      `inventory: svc.txt:4:53: expected ports like 9080/TCP or 80:30080/TCP under PORT(S), found "9080/HTTP"`,
			services: 1,
		},
		{
			name: "selector without a value",
			path: "svc.txt",
			in:   svcHeader + "reviews   ClusterIP   10.96.209.151   <none>        9080/TCP   20m   app\n",
			is:   ErrInvalid,
			msg:  `inventory: svc.txt:2:70: expected key=value pairs under SELECTOR, found "app"`,
		},
		{
			name:     "istioctl endpoint that is no address",
			path:     "ep.txt",
			in:       "ENDPOINT          STATUS      OUTLIER CHECK     CLUSTER\n10.244.0.3:53     HEALTHY     OK                outbound|53||kube-dns.kube-system.svc.cluster.local\n10.244.0.x:53     HEALTHY     OK                outbound|53||kube-dns.kube-system.svc.cluster.local\n",
			is:       ErrInvalid,
			msg:      `inventory: ep.txt:3:1: expected IP:port or unix://path under ENDPOINT, found "10.244.0.x:53"`,
			clusters: 1,
		},
		{
			name: "JSON podIP of the wrong shape",
			path: "pods.json",
			in: `{"kind": "List", "items": [
  {"kind": "Pod", "metadata": {"name": "a", "namespace": "ns"}, "status": {"podIP": "10.0.0.1"}},
  {"kind": "Pod", "metadata": {"name": "b", "namespace": "ns"},
   "status": {"podIP": "abc"}}
]}`,
			is:   ErrInvalid,
			msg:  `inventory: pods.json:4:24: expected an IP address for status.podIP, found "abc"`,
			pods: 1,
		},
		{
			name: "JSON port out of range",
			path: "svc.json",
			in:   `{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 70000}]}}`,
			is:   ErrInvalid,
			msg:  `inventory: svc.json:1:76: expected a port number 1-65535 for spec.ports[0].port, found "70000"`,
		},
		{
			name: "JSON that YAML would take but JSON does not",
			path: "bad.json",
			in:   "{\"kind\": \"Pod\",\n \"metadata\": }",
			is:   ErrSyntax,
			msg:  `inventory: bad.json:2:14: malformed JSON: invalid character '}' looking for beginning of value`,
		},
		{
			name: "YAML list where a mapping belongs",
			path: "pod.yaml",
			in:   "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  - containers\n",
			is:   ErrInvalid,
			msg:  `inventory: pod.yaml:6:3: expected a mapping for spec, found a list`,
		},
		{
			name: "YAML syntax error in the second document",
			path: "svc.yaml",
			in: "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\nspec: {clusterIP: 10.96.0.5}\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata:\n  name: [c\n",
			is:       ErrSyntax,
			msg:      `inventory: svc.yaml:9: malformed YAML: did not find expected ',' or ']'`,
			services: 1,
		},
		{
			// Fuzz crasher: yaml.v3 put the end of the input on line 2.
			name: "YAML cut short in a flow list",
			path: "cut.yaml",
			in:   "kind: [",
			is:   ErrSyntax,
			msg:  `inventory: cut.yaml:1: malformed YAML: did not find expected node content`,
		},
		{
			name: "EndpointSlice address that is no IP",
			path: "eps.yaml",
			in: "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: r-1\n  labels: {kubernetes.io/service-name: r}\n" +
				"addressType: IPv4\nports: [{port: 80}]\nendpoints:\n- addresses: [10.0.0.1]\n- addresses: [10.0.0.256]\n",
			is:        ErrInvalid,
			msg:       `inventory: eps.yaml:10:15: expected an IP address for endpoints[1].addresses[0], found "10.0.0.256"`,
			endpoints: 1,
		},
		{
			name: "prose is no inventory",
			path: "notes.txt",
			in:   "These are my notes.\nNothing here is a table.\n",
			is:   ErrUnrecognized,
			msg:  "inventory: notes.txt: no kubectl or istioctl table found: expected a header such as NAME READY STATUS or ENDPOINT STATUS CLUSTER",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Parse(tt.path, []byte(tt.in))
			require.Error(t, err)
			var e *source.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.path, e.Path)
			assert.ErrorIs(t, err, tt.is)
			assert.Equal(t, tt.msg, err.Error())
			require.NotNil(t, inv, "the partial inventory")
			assert.Len(t, inv.Pods, tt.pods)
			assert.Len(t, inv.Services, tt.services)
			assert.Len(t, inv.Endpoints, tt.endpoints)
			clusters := 0
			for _, r := range inv.Registries {
				clusters += len(r.Clusters)
			}
			assert.Equal(t, tt.clusters, clusters)
		})
	}
}

func TestQuoteShortens(t *testing.T) {
	long := "0123456789012345678901234567890123456789012345678901234567890123456789"
	assert.Equal(t, `"012345678901234567890123456789012345678901234567..."`, quote(long))
	assert.Equal(t, `"short"`, quote("short"))
}
