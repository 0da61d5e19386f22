package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

// inPodConn is one application connection as tcpdump -i any inside
// my-shell's namespace sees it under istio-iptables: on lo (ifindex 1) the
// application's packets go to the sidecar's 127.0.0.1:15001 and the
// sidecar's replies come back un-NATed from the address the application
// dialed; on eth0 (ifindex 2) the sidecar's upstream leg leaves from the
// pod's address to upstream (an endpoint it picked, or the original
// destination when it passes the connection through). The packet shapes
// are those the lab records from real kernel traffic (fixtures/lab).
func inPodConn(at time.Duration, appPort, upPort int, orig, upstream string) []pk {
	app := "10.244.2.34:" + itoa(appPort)
	lo := func(d time.Duration, from bool, flags string, n int) pk {
		if from {
			return pk{at: at + d, flow: app + " > 127.0.0.1:15001", flags: flags, len: n, ifindex: 1}
		}
		return pk{at: at + d, flow: orig + " > " + app, flags: flags, len: n, ifindex: 1}
	}
	var out []pk
	out = append(out, lo(0, true, "S", 0), lo(10*us, false, "S.", 0), lo(20*us, true, ".", 0), lo(30*us, true, "P.", 90))
	if upstream != "" {
		up := "10.244.2.34:" + itoa(upPort)
		out = append(out,
			pk{at: at + 100*us, flow: up + " > " + upstream, flags: "S", ifindex: 2},
			pk{at: at + 300*us, flow: upstream + " > " + up, flags: "S.", ifindex: 2},
			pk{at: at + 310*us, flow: up + " > " + upstream, flags: ".", ifindex: 2},
			pk{at: at + 320*us, flow: up + " > " + upstream, flags: "P.", len: 90, ifindex: 2},
			pk{at: at + ms, flow: upstream + " > " + up, flags: "P.", len: 700, ifindex: 2},
		)
	}
	return append(out, lo(2*ms, false, "P.", 700), lo(3*ms, true, ".", 0))
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestInPod: a capture inside the client pod gives one intercepted flow per
// application connection, to the address the application dialed, with the
// verdict its upstream leg shows; the upstream legs are the sidecar's; the
// rest of what an injected pod does is named by its role.
func TestInPod(t *testing.T) {
	const vip, v3, v1 = "10.96.209.151:9080", "10.244.2.32:9080", "10.244.2.31:9080"
	tests := []struct {
		name string
		pkts []pk
		inv  bool
		want []string // client → server: verdict, role, intercepted, upstream
	}{
		{
			name: "before: the sidecar picks the pods", inv: true,
			pkts: append(inPodConn(0, 40000, 50000, vip, v3), inPodConn(10*ms, 40002, 50002, vip, v1)...),
			want: []string{
				"10.244.2.34:40000 → 10.96.209.151:9080: sidecar-dnat intercepted upstream 10.244.2.32:9080",
				"10.244.2.34:50000 → 10.244.2.32:9080: sidecar-dnat sidecar-upstream",
				"10.244.2.34:40002 → 10.96.209.151:9080: sidecar-dnat intercepted upstream 10.244.2.31:9080",
				"10.244.2.34:50002 → 10.244.2.31:9080: sidecar-dnat sidecar-upstream",
			},
		},
		{
			name: "after: the sidecar passes it through", inv: true,
			pkts: inPodConn(0, 40000, 50000, vip, vip),
			want: []string{
				"10.244.2.34:40000 → 10.96.209.151:9080: passthrough intercepted upstream 10.96.209.151:9080",
				"10.244.2.34:50000 → 10.96.209.151:9080: passthrough sidecar-upstream",
			},
		},
		{
			name: "lo alone, no registry: intercepted, path unknown", inv: true,
			pkts: inPodConn(0, 40000, 0, vip, ""),
			want: []string{"10.244.2.34:40000 → 10.96.209.151:9080: unknown intercepted"},
		},
		{
			name: "lo alone without inventory: nothing is external", inv: false,
			pkts: inPodConn(0, 40000, 0, vip, ""),
			want: []string{"10.244.2.34:40000 → 10.96.209.151:9080: unknown intercepted"},
		},
		{
			name: "an excluded port: not intercepted", inv: true,
			pkts: append(inPodConn(0, 40000, 50000, vip, v3),
				pk{at: 10 * ms, flow: "10.244.2.34:40100 > 10.96.209.151:9080", flags: "S", ifindex: 2},
				pk{at: 11 * ms, flow: "10.96.209.151:9080 > 10.244.2.34:40100", flags: "S.", ifindex: 2}),
			want: []string{
				"10.244.2.34:40000 → 10.96.209.151:9080: sidecar-dnat intercepted upstream 10.244.2.32:9080",
				"10.244.2.34:50000 → 10.244.2.32:9080: sidecar-dnat sidecar-upstream",
				"10.244.2.34:40100 → 10.96.209.151:9080: passthrough not intercepted",
			},
		},
		{
			name: "Istio's own traffic", inv: true,
			pkts: append(inPodConn(0, 40000, 50000, vip, v3),
				pk{at: 20 * ms, flow: "10.244.2.34:41000 > 10.96.0.10:15012", flags: "S", ifindex: 2},
				pk{at: 21 * ms, flow: "172.18.0.3:52000 > 10.244.2.34:15021", flags: "S", ifindex: 2},
				pk{at: 22 * ms, flow: "127.0.0.1:43000 > 127.0.0.1:15000", flags: "S", ifindex: 1},
				pk{at: 23 * ms, flow: "127.0.0.6:43001 > 10.244.2.34:8080", flags: "S", ifindex: 1},
				pk{at: 24 * ms, flow: "10.244.1.31:44000 > 10.244.2.34:8080", flags: "S", ifindex: 2},
				pk{at: 25 * ms, flow: "10.244.2.34:41001 > 127.0.0.1:15053", flags: "udp", ifindex: 1}),
			want: []string{
				"10.244.2.34:40000 → 10.96.209.151:9080: sidecar-dnat intercepted upstream 10.244.2.32:9080",
				"10.244.2.34:50000 → 10.244.2.32:9080: sidecar-dnat sidecar-upstream",
				"10.244.2.34:41000 → 10.96.0.10:15012: istio control-plane",
				"172.18.0.3:52000 → 10.244.2.34:15021: istio health-probe",
				"127.0.0.1:43000 → 127.0.0.1:15000: istio envoy-admin",
				"127.0.0.6:43001 → 10.244.2.34:8080: istio inbound",
				"10.244.1.31:44000 → 10.244.2.34:8080: istio inbound",
				"10.244.2.34:41001 → 127.0.0.1:15053: istio dns-capture",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *report.Report
			if tt.inv {
				r = analyzeAll(t, seedInventory(t), newSource(t, "pod-any.pcap", tt.pkts...))
			} else {
				r = analyzeAll(t, nil, newSource(t, "pod-any.pcap", tt.pkts...))
			}
			var got []string
			for _, f := range r.Flows {
				line := f.Client.String() + " → " + f.Server.String() + ": " + f.Verdict.String()
				if !f.Role.IsZero() {
					line += " " + f.Role.String()
				}
				if !f.Intercepted.IsZero() {
					line += " " + f.Intercepted.String()
				}
				if f.Upstream.IsValid() {
					line += " upstream " + f.Upstream.String()
				}
				got = append(got, line)
				assert.NotEqual(t, report.External, f.Verdict, "%s: no flow of the pod's lo is external", line)
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}

// TestInPodCompare: compared, the in-pod captures before and after the
// Sidecar say the seed's conclusion, and that the sidecar still intercepts.
func TestInPodCompare(t *testing.T) {
	const vip, v3 = "10.96.209.151:9080", "10.244.2.32:9080"
	inv := seedInventory(t)
	before := analyzeAll(t, inv, newSource(t, "before.pcap", inPodConn(0, 40000, 50000, vip, v3)...))
	after := analyzeAll(t, inv, newSource(t, "after.pcap", inPodConn(0, 40000, 50000, vip, vip)...))
	c := report.Compare(before, after)
	require.Len(t, c.Changes, 1)
	ch := c.Changes[0]
	assert.Equal(t, "sidecar-dnat", ch.Before.String())
	assert.Equal(t, "passthrough", ch.After.String())
	assert.Contains(t, ch.Meaning, "it intercepts the connections and passes them through")
}
