package report

import (
	"encoding/json"
	"fmt"
)

// Role says what a connection of an injected pod is, when it is not the
// application's own traffic. The zero value is the application's traffic.
type Role uint8

const (
	roleApp Role = iota
	// RoleControlPlane: istio-agent's connection to istiod (ports 15012,
	// 15010), which uid 1337 opens and the pod's rules never redirect.
	RoleControlPlane
	// RoleHealthProbe: kubelet's probes, rewritten by the injector to the
	// agent's ports 15020 and 15021, from the node's address.
	RoleHealthProbe
	// RoleMetricsScrape: Prometheus scraping the merged metrics on 15020 or
	// Envoy's on 15090.
	RoleMetricsScrape
	// RoleEnvoyAdmin: Envoy's admin port, 127.0.0.1:15000.
	RoleEnvoyAdmin
	// RoleDNSCapture: DNS the pod's rules send to the agent's 127.0.0.1:15053.
	RoleDNSCapture
	// RoleInbound: a connection into the pod, which the rules redirect to
	// the sidecar's 15006, and the sidecar's delivery of it to the
	// application from 127.0.0.6 over lo.
	RoleInbound
	// RoleHBONE: Istio's HBONE tunnel port 15008.
	RoleHBONE
	// RoleSidecarUpstream: the sidecar's own connection onward of an
	// application connection it intercepted (the capture shows the
	// application's side on lo); that connection is the application's flow.
	RoleSidecarUpstream
	numRoles
)

var roleNames = [numRoles]string{roleApp: "", RoleControlPlane: "control-plane", RoleHealthProbe: "health-probe",
	RoleMetricsScrape: "metrics-scrape", RoleEnvoyAdmin: "envoy-admin", RoleDNSCapture: "dns-capture", RoleInbound: "inbound",
	RoleHBONE: "hbone", RoleSidecarUpstream: "sidecar-upstream"}

// String returns the role's name; "" for the application's traffic.
func (r Role) String() string {
	if r < numRoles {
		return roleNames[r]
	}
	return "invalid"
}

// IsZero reports whether the connection is the application's traffic.
func (r Role) IsZero() bool { return r == roleApp }

// MarshalText writes the name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a name; "" is the application's traffic.
func (r *Role) UnmarshalText(b []byte) error {
	for i, name := range roleNames {
		if name == string(b) {
			*r = Role(i)
			return nil
		}
	}
	return fmt.Errorf("unknown role %q", b)
}

// Interception says whether the capture shows the pod's rules redirecting
// an application connection to the sidecar (its port 15001 on lo). The
// zero value means the capture cannot tell: it does not hold the pod's lo.
type Interception uint8

const (
	interceptionUnknown Interception = iota
	// Intercepted: the connection went to the sidecar on lo.
	Intercepted
	// NotIntercepted: the capture holds the pod's lo, and the connection
	// left the pod without going through the sidecar (an excluded port or
	// address range, or traffic of the sidecar's own uid).
	NotIntercepted
)

// IsZero reports whether the capture cannot tell.
func (i Interception) IsZero() bool { return i == interceptionUnknown }

// String is "intercepted", "not intercepted" or "".
func (i Interception) String() string {
	switch i {
	case Intercepted:
		return "intercepted"
	case NotIntercepted:
		return "not intercepted"
	}
	return ""
}

// MarshalJSON writes true or false.
func (i Interception) MarshalJSON() ([]byte, error) { return json.Marshal(i == Intercepted) }

// UnmarshalJSON reads true or false.
func (i *Interception) UnmarshalJSON(b []byte) error {
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*i = NotIntercepted
	if v {
		*i = Intercepted
	}
	return nil
}

// MarshalYAML writes true or false.
func (i Interception) MarshalYAML() (any, error) { return i == Intercepted, nil }
