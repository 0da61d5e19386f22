package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommandOf(t *testing.T) {
	tests := []struct {
		line string
		cmd  string
		ok   bool
	}{
		{"$ kubectl -n bookinfo get pod -o wide", "kubectl -n bookinfo get pod -o wide", true},
		{"# kubectl get po", "kubectl get po", true},
		{"user@laptop:~/work$ kubectl get svc", "kubectl get svc", true},
		{"[root@bastion ~]# istioctl pc ep my-shell", "istioctl pc ep my-shell", true},
		{"$", "", true},
		{"user@host ~/$ k get pods,svc -n rocky-test", "k get pods,svc -n rocky-test", true},
		{"me@box ~/src/app $ kubectl get svc", "kubectl get svc", true},
		{"(venv) user@host:~$ kubectl get po", "kubectl get po", true},
		{"NAME   READY   STATUS", "", false},
		{"10.244.0.3:53     HEALTHY     OK     outbound|53||kube-dns.kube-system.svc.cluster.local", "", false},
		{"details-v1-79dfbd6fff-l876n   2/2   Running", "", false},
	}
	for _, tt := range tests {
		cmd, ok := commandOf(tt.line)
		assert.Equal(t, tt.ok, ok, tt.line)
		assert.Equal(t, tt.cmd, cmd, tt.line)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		cmd  string
		want command
	}{
		{"kubectl -n bookinfo get pod -o wide", command{tool: toolKubectl, verb: "get", resource: "pod", namespace: "bookinfo"}},
		{"kubectl get svc --namespace bookinfo -o wide", command{tool: toolKubectl, verb: "get", resource: "svc", namespace: "bookinfo"}},
		{"kubectl get po --namespace=istio-system", command{tool: toolKubectl, verb: "get", resource: "po", namespace: "istio-system"}},
		{"kubectl get pods -nbookinfo", command{tool: toolKubectl, verb: "get", resource: "pods", namespace: "bookinfo"}},
		{"kubectl get pods -n bookinfo -A", command{tool: toolKubectl, verb: "get", resource: "pods"}},
		{"kubectl get pods --all-namespaces -o wide", command{tool: toolKubectl, verb: "get", resource: "pods"}},
		{"kubectl --context kind-kind get EndpointSlices -o wide", command{tool: toolKubectl, verb: "get", resource: "endpointslices"}},
		{"sudo k3s kubectl get no -o wide | grep worker", command{tool: toolKubectl, verb: "get", resource: "no"}},
		{"k get pods -A", command{tool: toolKubectl, verb: "get", resource: "pods"}},
		{"k get pods,svc -n rocky-test", command{tool: toolKubectl, verb: "get", resource: "pods,svc", namespace: "rocky-test"}},
		{"kubectl get pods,svc", command{tool: toolKubectl, verb: "get", resource: "pods,svc"}},
		{"istioctl proxy-config endpoint my-shell", command{tool: toolIstioctl, endpoints: true, proxy: Ref{Name: "my-shell"}}},
		{"istioctl pc ep my-shell.default", command{tool: toolIstioctl, endpoints: true, proxy: Ref{"default", "my-shell"}}},
		{"istioctl proxy-config endpoints my-shell -n default", command{tool: toolIstioctl, endpoints: true, proxy: Ref{"default", "my-shell"}}},
		{"istioctl pc endpoints --port 9080 -n bookinfo pod/productpage-v1-dffc47f64-qw4bk", command{tool: toolIstioctl, endpoints: true, proxy: Ref{"bookinfo", "productpage-v1-dffc47f64-qw4bk"}}},
		{"istioctl pc ep -f config_dump.json", command{tool: toolIstioctl, endpoints: true}},
		{`istioctl proxy-config endpoint "$(kubectl get pod -l app=sleep -o jsonpath='{.items[0].metadata.name}')" | grep reviews`,
			command{tool: toolIstioctl, endpoints: true, unnamed: "$(kubectl get pod -l app=sleep -o jsonpath='{.items[0].metadata.name}')"}},
		{"istioctl pc ep $(kubectl get pod | grep sleep | cut -d' ' -f1) -n foo", command{tool: toolIstioctl, endpoints: true, unnamed: "$(kubectl get pod | grep sleep | cut -d' ' -f1)"}},
		{"istioctl proxy-config endpoint $SLEEP_POD", command{tool: toolIstioctl, endpoints: true, unnamed: "$SLEEP_POD"}},
		{"istioctl proxy-config endpoint <sleep-pod> -n foo", command{tool: toolIstioctl, endpoints: true, unnamed: "<sleep-pod>"}},
		{"istioctl proxy-config endpoint deploy/sleep -n foo", command{tool: toolIstioctl, endpoints: true, unnamed: "deploy/sleep"}},
		{`kubectl get pods -n "rocky-test"`, command{tool: toolKubectl, verb: "get", resource: "pods", namespace: "rocky-test"}},
		{"istioctl proxy-config cluster my-shell", command{tool: toolIstioctl}},
		{"curl 10.96.209.151:9080/reviews/1", command{tool: toolOther}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseCommand(tt.cmd), tt.cmd)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want format
	}{
		{"JSON object", "  \n{\"kind\": \"List\"}", formatJSON},
		{"JSON list", "[]", formatJSON},
		{"YAML document marker", "# saved\n---\nkind: Pod\n", formatYAML},
		{"YAML mapping", "apiVersion: v1\nkind: Service\n", formatYAML},
		{"YAML list", "- name: a\n", formatYAML},
		{"transcript", "$ kubectl get pods\nNAME   READY\n", formatText},
		{"root prompt, not a YAML comment", "# kubectl get pods\nNAME   READY   STATUS   RESTARTS   AGE\n", formatText},
		{"table", "NAME   READY   STATUS\n", formatText},
		{"empty", " \n\t\n", formatUnknown},
		{"binary", "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", formatBinary},
		{"not UTF-8", "NAME \xff\xfe", formatBinary},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, detect([]byte(tt.in)), tt.name)
	}
}

func TestSplitRow(t *testing.T) {
	header := "NAME                          READY   STATUS    RESTARTS        AGE   IP"
	tests := []struct {
		name string
		row  string
		want []string
	}{
		{"aligned", "reviews-v2-65cb66b45c-dtwjd   2/2     Running   12 (3m4s ago)   2d    10.244.1.31",
			[]string{"reviews-v2-65cb66b45c-dtwjd", "2/2", "Running", "12 (3m4s ago)", "2d", "10.244.1.31"}},
		{"trailing cells missing", "reviews-v2-65cb66b45c-dtwjd   2/2     Running",
			[]string{"reviews-v2-65cb66b45c-dtwjd", "2/2", "Running", "", "", ""}},
		{"a middle cell missing", "reviews-v2-65cb66b45c-dtwjd   2/2     Running   0                     10.244.1.31",
			[]string{"reviews-v2-65cb66b45c-dtwjd", "2/2", "Running", "0", "", "10.244.1.31"}},
		{"shifted left by one", "reviews-v2   2/2    Running  0               2d   10.244.1.31",
			[]string{"reviews-v2", "2/2", "Running", "0", "2d", "10.244.1.31"}},
		{"tabs", "reviews-v2\t2/2\tRunning\t0\t2d\t10.244.1.31",
			[]string{"reviews-v2", "2/2", "Running", "0", "2d", "10.244.1.31"}},
		{"squeezed to single spaces", "reviews-v2 2/2 Running 1 (5h ago) 2d 10.244.1.31",
			[]string{"reviews-v2", "2/2", "Running", "1 (5h ago)", "2d", "10.244.1.31"}},
	}
	cols := parseHeader(header)
	for _, tt := range tests {
		cells, err := splitRow(cols, tt.row, false)
		if !assert.Nil(t, err, tt.name) {
			continue
		}
		got := make([]string, len(cells))
		for i, c := range cells {
			got[i] = c.text
		}
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestParseHeader(t *testing.T) {
	cols := parseHeader("NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES")
	var names []string
	for _, c := range cols {
		names = append(names, c.name)
	}
	assert.Equal(t, []string{"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"}, names)
	assert.Nil(t, parseHeader("details-v1   2/2   Running"))
	assert.Nil(t, parseHeader("NAME"), "one word is no header")
}
