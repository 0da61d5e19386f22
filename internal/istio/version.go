package istio

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Istio minor release, the granularity at which pcapcheck's
// rules change. The zero value is invalid: it means "not given", and
// Config.Istio reads it as Latest.
type Version struct {
	Major, Minor int
}

// Known versions whose rules differ. Istio before 1.31 is predicted with
// the rules of V1_30 (recorded against istio.io/istio b01690e6db7d, a 1.30
// development commit); 1.31 and later with those of V1_31 (release-1.31,
// istio.io/istio eed52ebb66ad).
var (
	V1_30  = Version{1, 30}
	V1_31  = Version{1, 31}
	Latest = V1_31
)

// IsValid reports whether v names a release.
func (v Version) IsValid() bool { return v.Major > 0 }

func (v Version) String() string {
	if !v.IsValid() {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// AtLeast reports whether v is release o or later.
func (v Version) AtLeast(o Version) bool {
	return v.Major > o.Major || v.Major == o.Major && v.Minor >= o.Minor
}

// ParseVersion reads an Istio version as a flag or an image tag gives it:
// "1.31", "1.30.2", "v1.31.0", "1.31.0-distroless". Only major and minor
// are kept.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	t, _, _ = strings.Cut(t, "-")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("istio: expected an Istio version MAJOR.MINOR (%s, %s), found %q", V1_30, Latest, s)
	}
	var n [2]int
	for i := range n {
		v, err := strconv.Atoi(parts[i])
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("istio: expected an Istio version MAJOR.MINOR (%s, %s), found %q", V1_30, Latest, s)
		}
		n[i] = v
	}
	if n[0] < 1 {
		return Version{}, fmt.Errorf("istio: expected an Istio version 1.x (%s, %s), found %q", V1_30, Latest, s)
	}
	return Version{n[0], n[1]}, nil
}
