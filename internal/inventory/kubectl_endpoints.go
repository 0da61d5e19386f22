package inventory

import (
	"net/netip"
	"regexp"
	"strconv"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// kubectl get endpointslices and kubectl get endpoints list at most three
// addresses per row and end the cell with " + N more..." when there are
// more: what is listed is read, and the cut is a warning.

// truncated matches the end kubectl puts on a list it cut at three items.
var truncated = regexp.MustCompile(` \+ (\d+) more\.\.\.$`)

// listed splits a possibly truncated list cell ("a,b,c + 2 more...") and
// says how many items kubectl left out.
func listed(s string) (items []string, more int) {
	if m := truncated.FindStringSubmatchIndex(s); m != nil {
		more, _ = strconv.Atoi(s[m[2]:m[3]])
		s = s[:m[0]]
	}
	return splitList(s), more
}

// sliceSuffix is the random suffix the EndpointSlice controller appends to
// a Service's name: "reviews-x7k2p" belongs to "reviews". An EndpointSlice
// row belongs to its kubernetes.io/service-name label when --show-labels
// shows it, else to its name less this suffix.
var sliceSuffix = regexp.MustCompile(`-[a-z0-9]{5}$`)

func (r row) endpointSlice() ([]Endpoint, *source.Error) {
	ref, err := r.ref()
	if err != nil {
		return nil, err
	}
	svc := Ref{Namespace: ref.Namespace, Name: sliceSuffix.ReplaceAllString(ref.Name, "")}
	if _, ok := r.get("LABELS"); ok {
		labels, lerr := r.keyValues("LABELS")
		if lerr != nil {
			return nil, lerr
		}
		if n := labels["kubernetes.io/service-name"]; n != "" {
			svc.Name = n
		}
	}
	if t := r.value("ADDRESSTYPE"); t == "FQDN" {
		return nil, nil
	}
	portItems, morePorts := listed(r.value("PORTS"))
	addrItems, moreAddrs := listed(r.value("ENDPOINTS"))
	r.t.truncatedList("EndpointSlice", ref, r.line, morePorts+moreAddrs)
	var ports []uint16
	for _, s := range portItems {
		if p, perr := parsePort(s); perr == nil && p > 0 {
			ports = append(ports, p) // a port shown by name (no number) has nothing to match
		}
	}
	var out []Endpoint
	for _, s := range addrItems {
		a, perr := netip.ParseAddr(s)
		if perr != nil {
			return nil, r.fail("ENDPOINTS", ErrInvalid, "expected IP addresses under ENDPOINTS, found %s", quote(s))
		}
		for _, p := range ports {
			out = append(out, Endpoint{Service: svc, Addr: plain(a), Port: p, Via: ViaEndpointSlice, From: r.position()})
		}
	}
	return out, nil
}

func (r row) endpoints() ([]Endpoint, *source.Error) {
	ref, err := r.ref()
	if err != nil {
		return nil, err
	}
	items, more := listed(r.value("ENDPOINTS"))
	r.t.truncatedList("Endpoints", ref, r.line, more)
	var out []Endpoint
	for _, s := range items {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			if _, aerr := netip.ParseAddr(s); aerr == nil {
				continue // a headless service without ports: no port to match
			}
			return nil, r.fail("ENDPOINTS", ErrInvalid, "expected IP:port endpoints under ENDPOINTS, found %s", quote(s))
		}
		if ap.Port() == 0 {
			continue
		}
		out = append(out, Endpoint{Service: ref, Addr: plain(ap.Addr()), Port: ap.Port(), Via: ViaEndpoints, From: r.position()})
	}
	return out, nil
}
