package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSniffText(t *testing.T) {
	fixture := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "bookinfo", path))
		require.NoError(t, err)
		return string(b)
	}
	const pkt = "14:57:02.572059 IP 10.244.2.34.44644 > 10.244.2.32.9080: Flags [.], ack 1, win 63, length 0\n"
	for _, tc := range []struct {
		name      string
		in        string
		isText    bool
		looksLike string
	}{
		{name: "seed shell 4", in: fixture("before/shell4-tcpdump.txt"), isText: true},
		{name: "seed shell 6", in: fixture("after/shell6-tcpdump.txt"), isText: true},
		{name: "one packet line", in: pkt, isText: true},
		{name: "-t", in: strings.TrimPrefix(pkt, "14:57:02.572059 "), isText: true},
		{name: "-i any -t ARP", in: "vethpcc0 B   ARP, Request who-has 10.244.2.32 tell 10.244.2.34, length 28\n", isText: true},
		{name: "host names only", in: "14:57:02.572059 IP my-shell.default.44644 > reviews.bookinfo.9080: Flags [S], seq 1, win 1, length 0\n", isText: true},
		{name: "banner without packets", in: "tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n0 packets captured\n", isText: true},
		{name: "command then unknown packet lines", in: "$ tcpdump -i eth0\n14:57:02.572059 LLDP, length 110\n", isText: true},
		{name: "command in a pod then unknown packet lines", in: "$ kubectl debug -it my-shell --image=nicolaka/netshoot -- tcpdump -i eth0\n14:57:02.572059 LLDP, length 110\n", isText: true},
		{name: "sudo without a prompt", in: "sudo tcpdump -i eth0\n14:57:02.572059 LLDP, length 110\n", isText: true},
		{name: "prose about tcpdump is not a command", in: "I ran tcpdump yesterday\n14:57:02.572059 INFO ok\n", looksLike: `text that is not tcpdump output (first line: "I ran tcpdump yesterday")`},
		{name: "a line cut at the end of the prefix", in: pkt + pkt[:40], isText: true},
		{name: "empty", in: "", looksLike: "empty"},
		{name: "blank", in: " \n\r\n\t\n", looksLike: "empty"},
		{name: "binary", in: "\x00\x01\x02\x03garbage", looksLike: "binary data"},
		{name: "invalid UTF-8", in: "\xff\xfe\xfd\xfc plain", looksLike: "binary data"},
		{name: "JSON object", in: `{"kind": "List", "items": []}`, looksLike: "JSON"},
		{name: "JSON array", in: "[\n  {\"a\": 1}\n]\n", looksLike: "JSON"},
		{name: "YAML", in: "apiVersion: networking.istio.io/v1\nkind: Sidecar\n", looksLike: "YAML"},
		{name: "YAML document", in: "---\nmesh: |-\n", looksLike: "YAML"},
		{name: "kubectl table", in: fixture("inventory/shell1-kubectl.txt"), looksLike: "a kubectl table"},
		{name: "kubectl table without the command", in: "NAME          TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)    AGE\nreviews       ClusterIP   10.96.209.151   <none>        9080/TCP   20m\n", looksLike: "a kubectl table"},
		{name: "istioctl table", in: fixture("before/shell3-istioctl.txt"), looksLike: "an istioctl table"},
		{name: "istioctl proxy-status", in: "NAME                CLUSTER        CDS        LDS        EDS        RDS        ECDS         ISTIOD\n", looksLike: "an istioctl table"},
		{name: "HTML", in: "<!DOCTYPE html>\n<html><body>x</body></html>\n", looksLike: "HTML"},
		{name: "log lines with times are not tcpdump", in: "14:57:02.572059 INFO starting envoy\n", looksLike: `text that is not tcpdump output (first line: "14:57:02.572059 INFO starting envoy")`},
		{name: "other text", in: "hello\tworld\x1b[31m\n", looksLike: `text that is not tcpdump output (first line: "hello\tworld\x1b[31m")`},
		{name: "long first line is clipped", in: strings.Repeat("é", 100), looksLike: `text that is not tcpdump output (first line: "` + strings.Repeat("é", 60) + `...")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isText, looksLike := sniffText([]byte(tc.in))
			assert.Equal(t, tc.isText, isText)
			if !tc.isText {
				assert.Equal(t, tc.looksLike, looksLike)
			}
		})
	}
}
