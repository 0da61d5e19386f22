package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTranscriptWarnings: real transcripts whose tables are read with less
// than they need, or not read, say so in a warning naming file and line.
func TestTranscriptWarnings(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		services []string
		warnings []string
	}{
		{
			name: "alias and bash prompt with a space before the directory",
			in: "user@host ~/$ k get pods,svc -n rocky-test\n" +
				"NAME                      TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)    AGE\n" +
				"service/db                ClusterIP   10.43.12.200   <none>        5432/TCP   3d\n",
			services: []string{"rocky-test/db"},
		},
		{
			name: "command without a namespace",
			in: "$ kubectl get svc\n" +
				"NAME   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)    AGE\n" +
				"db     ClusterIP   10.43.12.200   <none>        5432/TCP   3d\n",
			services: []string{"db"},
			warnings: []string{"t.txt:2: the namespace of these services is unknown: neither the command line nor a NAMESPACE column says it; each matches its name in any namespace (list with -n NAMESPACE or -A)"},
		},
		{
			name: "header typo",
			in: "$ kubectl get svc -n web\n" +
				"NAME   TYPE        CLUSTERIP      EXTERNAL-IP   PORT(S)    AGE\n" +
				"db     ClusterIP   10.43.12.200   <none>        5432/TCP   3d\n",
			warnings: []string{`t.txt:2: skipped a table whose header is not one of kubectl's pods, services, nodes, endpoints or endpointslices, nor istioctl proxy-config endpoint's: "NAME TYPE CLUSTERIP EXTERNAL-IP PORT(S) AGE"`},
		},
		{
			name: "istioctl proxy-config cluster",
			in: "$ istioctl proxy-config cluster productpage-v1-123 -n bookinfo\n" +
				"SERVICE FQDN                                PORT     SUBSET     DIRECTION     TYPE       DESTINATION RULE\n" +
				"details.default.svc.cluster.local           9080     -          outbound      EDS        \n",
			warnings: []string{`t.txt:2: skipped a table of istioctl output that is not ` + "`istioctl proxy-config endpoint`" + `: "SERVICE FQDN PORT SUBSET DIRECTION TYPE DESTINAT..."`},
		},
		{
			name: "istioctl of a substitution",
			in: "$ istioctl proxy-config endpoint \"$(kubectl get pod -l app=sleep -o jsonpath='{.items[0].metadata.name}')\"\n" +
				"ENDPOINT                         STATUS      OUTLIER CHECK     CLUSTER\n" +
				"10.244.1.31:9080                 HEALTHY     OK                outbound|9080||reviews.bookinfo.svc.cluster.local\n",
			warnings: []string{`t.txt:2: the istioctl listing is of "$(kubectl get pod -l app=sleep -o jsonpath='{.it...", not of a named pod: its endpoints are read, but not which sidecar knows them; write the pod's name in its place (istioctl proxy-config endpoint POD -n NAMESPACE)`},
		},
		{
			name: "istioctl of a deployment",
			in: "$ istioctl pc ep deploy/sleep -n foo\n" +
				"ENDPOINT                         STATUS      OUTLIER CHECK     CLUSTER\n" +
				"10.244.1.31:9080                 HEALTHY     OK                outbound|9080||reviews.bookinfo.svc.cluster.local\n",
			warnings: []string{`t.txt:2: the istioctl listing is of "deploy/sleep", not of a named pod: its endpoints are read, but not which sidecar knows them; write the pod's name in its place (istioctl proxy-config endpoint POD -n NAMESPACE)`},
		},
		{
			name: "kubectl get of a kind not read is warned once",
			in: "$ kubectl get deploy -n web\n" +
				"NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n" +
				"db     1/1     1            1           3d\n",
			warnings: []string{"t.txt:1: skipped the output of \"kubectl get deploy -n web\": deploy is not an inventory kind"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Parse("t.txt", []byte(tt.in))
			require.NoError(t, err)
			var svcs []string
			for _, s := range inv.Services {
				svcs = append(svcs, s.Ref.String())
			}
			assert.Equal(t, tt.services, svcs)
			assert.Equal(t, tt.warnings, inv.Warnings)
		})
	}
}
