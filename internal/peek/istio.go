package peek

import (
	"strconv"
	"strings"
)

// IstioSNI is the decoded form of an Istio mTLS SNI,
// "<direction>_.<port>_.<subset>_.<host>", which is what Istio's
// model.BuildDNSSrvSubsetKey writes: a sidecar sends
// "outbound_.9080_._.reviews.bookinfo.svc.cluster.local" to the reviews
// service's port 9080, and "outbound_.9080_.v1_.reviews..." to its subset v1.
type IstioSNI struct {
	// Direction is "outbound" (what a sidecar's client side sends) or
	// "inbound" (which Istio's own parser accepts too).
	Direction string
	// Port is the service port, not the pod's target port.
	Port uint16
	// Subset is the DestinationRule subset, "" for the whole service.
	Subset string
	// Host is the service's host name, "reviews.bookinfo.svc.cluster.local"
	// for a Kubernetes service, or a ServiceEntry host.
	Host string
}

// String returns the SNI in the form ParseIstioSNI reads.
func (s IstioSNI) String() string {
	return s.Direction + "_." + strconv.Itoa(int(s.Port)) + "_." + s.Subset + "_." + s.Host
}

// ParseIstioSNI decodes an Istio mTLS SNI. It accepts what Istio writes and
// nothing looser: the direction "outbound" or "inbound", a port of 1 to 65535
// in decimal without sign or leading zero, a subset without "_.", and a
// non-empty host without "_." (Istio's own parser rejects that too: the
// separator would be ambiguous). The strings it returns are substrings of sni.
func ParseIstioSNI(sni string) (IstioSNI, bool) {
	dir, rest, _ := strings.Cut(sni, "_.")
	port, rest, _ := strings.Cut(rest, "_.")
	subset, host, found := strings.Cut(rest, "_.")
	if !found || (dir != "outbound" && dir != "inbound") || host == "" || strings.Contains(host, "_.") {
		return IstioSNI{}, false
	}
	p, ok := parsePort(port)
	if !ok {
		return IstioSNI{}, false
	}
	return IstioSNI{Direction: dir, Port: p, Subset: subset, Host: host}, true
}

// parsePort reads a port as strconv.Itoa writes one: 1 to 65535, digits only,
// no leading zero.
func parsePort(s string) (uint16, bool) {
	if len(s) == 0 || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

// ServiceOf turns a Kubernetes service host name "name.ns.svc.<domain>"
// ("reviews.bookinfo.svc.cluster.local", with any cluster domain) into its
// namespace ("bookinfo") and name ("reviews"). One trailing dot is allowed.
// Every label must be a lower-case RFC 1123 label, as Kubernetes writes them,
// so a host with a port ("reviews.bookinfo.svc.cluster.local:9080") or a
// short name ("reviews", "reviews.bookinfo") is not ok: resolving those needs
// the client's namespace and search path, which the caller knows and this
// function does not. The strings it returns are substrings of host.
func ServiceOf(host string) (namespace, name string, ok bool) {
	host = strings.TrimSuffix(host, ".")
	name, rest, _ := strings.Cut(host, ".")
	namespace, rest, _ = strings.Cut(rest, ".")
	svc, domain, _ := strings.Cut(rest, ".")
	if svc != "svc" || len(host) > 253 || !isLabel(name) || !isLabel(namespace) {
		return "", "", false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if !isLabel(label) {
			return "", "", false
		}
	}
	return namespace, name, true
}

// isLabel reports whether s is a lower-case RFC 1123 DNS label: 1 to 63
// letters, digits and hyphens, starting and ending with a letter or digit.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// IsIstioALPN reports whether an ALPN protocol is one Istio's sidecar offers
// for mTLS: "istio-peer-exchange" and "istio" for TCP, "istio-http/1.0",
// "istio-http/1.1" and "istio-h2" for HTTP. A client offering one of them is a
// sidecar. The plain "h2" and "http/1.1" a sidecar also offers are not
// counted: any client offers those.
func IsIstioALPN(proto string) bool {
	switch proto {
	case "istio-peer-exchange", "istio", "istio-http/1.0", "istio-http/1.1", "istio-h2":
		return true
	}
	return false
}
