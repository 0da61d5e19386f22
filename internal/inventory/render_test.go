package inventory

import (
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// checkGolden compares got with testdata/golden/NAME.golden, or rewrites
// the file under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got, "%s differs (-want +got); run go test -update and review the diff", path)
}

// render prints an inventory one fact per line, in the order it holds
// them, for golden files a person reviews.
func render(inv *Inventory) string {
	var b strings.Builder
	for _, f := range inv.Files {
		fmt.Fprintf(&b, "file %s %s\n", f.Path, f.Kind)
	}
	for _, p := range inv.Pods {
		fmt.Fprintf(&b, "pod %s ips=%s node=%q status=%q ready=%q hostNetwork=%t sidecar=%s labels=%s ports=%s from=%s\n",
			refString(p.Ref), addrs(p.IPs), p.Node, p.Status, p.Ready, p.HostNetwork, p.Sidecar, kvs(p.Labels), containerPorts(p.Ports), p.From)
	}
	for _, s := range inv.Services {
		fmt.Fprintf(&b, "service %s type=%s clusterIPs=%s headless=%t externalIPs=%s ports=%s selector=%s annotations=%s from=%s\n",
			refString(s.Ref), s.Type, addrs(s.ClusterIPs), s.Headless, addrs(s.ExternalIPs), servicePorts(s.Ports), kvs(s.Selector), kvs(s.Annotations), s.From)
	}
	for _, e := range inv.Endpoints {
		fmt.Fprintf(&b, "endpoint %s %s name=%q proto=%q pod=%s notReady=%t via=%s from=%s\n",
			refString(e.Service), netip.AddrPortFrom(e.Addr, e.Port), e.PortName, e.Protocol, refString(e.Pod), e.NotReady, e.Via, e.From)
	}
	for _, n := range inv.Nodes {
		fmt.Fprintf(&b, "node %s ips=%s from=%s\n", n.Name, addrs(n.IPs), n.From)
	}
	for _, r := range inv.Registries {
		fmt.Fprintf(&b, "registry proxy=%s from=%s\n", refString(r.Proxy), r.From)
		for _, c := range r.Clusters {
			fmt.Fprintf(&b, "  cluster %q direction=%q port=%d subset=%q host=%q\n", c.Name, c.Direction, c.Port, c.Subset, c.Host)
			for _, ep := range c.Endpoints {
				fmt.Fprintf(&b, "    %s %s line=%d\n", ep.Addr, ep.Status, ep.Line)
			}
		}
	}
	for _, w := range inv.Warnings {
		fmt.Fprintf(&b, "warning %s\n", w)
	}
	return b.String()
}

func refString(r Ref) string {
	if r.IsZero() {
		return "-"
	}
	if r.Namespace == "" {
		return "?/" + r.Name
	}
	return r.String()
}

func addrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return "[" + strings.Join(s, ",") + "]"
}

func kvs(m map[string]string) string {
	if m == nil {
		return "<unknown>"
	}
	var s []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s = append(s, k+"="+m[k])
	}
	return "{" + strings.Join(s, ",") + "}"
}

func containerPorts(ps []ContainerPort) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s:%d/%s", p.Name, p.Port, p.Protocol)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func servicePorts(ps []ServicePort) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		target := fmt.Sprint(p.TargetPort)
		if p.TargetPort == 0 {
			target = "?"
		}
		if p.TargetPortName != "" {
			target = p.TargetPortName
		}
		s[i] = fmt.Sprintf("%s:%d->%s/%s", p.Name, p.Port, target, p.Protocol)
		if p.NodePort != 0 {
			s[i] += fmt.Sprintf("(node %d)", p.NodePort)
		}
	}
	return "[" + strings.Join(s, ",") + "]"
}
