package merge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

func TestWorkload(t *testing.T) {
	tests := []struct{ pod, want string }{
		{"bookinfo/reviews-v2-65cb66b45c-dtwjd", "bookinfo/reviews-v2"},        // Deployment
		{"bookinfo/productpage-v1-dffc47f64-qw4bk", "bookinfo/productpage-v1"}, // Deployment, 9-character hash
		{"pcapcheck/pcapcheck-agent-x7k2p", "pcapcheck/pcapcheck-agent"},       // DaemonSet
		{"default/my-shell", "default/my-shell"},                               // a bare pod
		{"default/web-0", "default/web-0"},                                     // StatefulSet: its own
		{"default/-dtwjd", "default/-dtwjd"},                                   // nothing before the suffix
		{"default/api-aeiou", "default/api-aeiou"},                             // vowels are never generated
		{"default/cron-28912345-x7k2p", "default/cron-28912345"},               // a CronJob's Job keeps its number
	}
	for _, tt := range tests {
		t.Run(tt.pod, func(t *testing.T) {
			assert.Equal(t, tt.want, Workload(ref(tt.pod)).String())
		})
	}
}

func TestMergeRowsByWorkload(t *testing.T) {
	in := []*report.Report{
		node("a",
			flow("10.244.2.34:40000", "10.96.209.151:9080", report.Passthrough, 0, service("bookinfo/reviews"), clientPod("bookinfo/productpage-v1-dffc47f64-qw4bk"),
				natTo("10.244.1.31:9080", "bookinfo/reviews-v2-65cb66b45c-dtwjd"))),
		node("b",
			flow("10.244.1.40:40000", "10.96.209.151:9080", report.Passthrough, 0, service("bookinfo/reviews"), clientPod("bookinfo/productpage-v1-dffc47f64-zzzzz"),
				natTo("10.244.2.31:9080", "bookinfo/reviews-v1-5c4d6d447c-qwmbv"))),
	}
	out, _, err := Merge(in, Options{})
	require.NoError(t, err)
	require.Len(t, out.Summary, 1, "one workload, one destination, one verdict")
	row := out.Summary[0]
	assert.Equal(t, "bookinfo/productpage-v1", row.Client.String())
	assert.Equal(t, 2, row.Flows)
	assert.Equal(t, []string{"a", "b"}, row.Nodes)
	assert.Len(t, row.Servers, 2)
	assert.Equal(t, "bookinfo/productpage-v1-dffc47f64-qw4bk", out.Flows[1].ClientPod.String(), "flows keep their pods")

	out, _, err = Merge(in, Options{ByPod: true})
	require.NoError(t, err)
	assert.Len(t, out.Summary, 2, "a row per pod")
}
