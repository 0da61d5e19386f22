package istio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// SetVersionFromInventory takes the Istio release from the images of the
// inventory's pods when Version is not set yet: istiod's
// (".../pilot:1.31.0"), since istiod computes every sidecar's registry,
// else the proxies' (".../proxyv2:1.30.2", container istio-proxy). Tags
// that are not a version ("latest", a digest) are passed over. It warns
// when the proxies run other releases than the one taken.
func (c *Config) SetVersionFromInventory(inv *inventory.Inventory) {
	if c.Version.IsValid() || inv == nil {
		return
	}
	type seen struct {
		v    Version
		from string
	}
	var pilots, proxies []seen
	for _, pod := range inv.Pods {
		for _, ci := range pod.Images {
			repo, tag, ok := imageTag(ci.Image)
			if !ok {
				continue
			}
			v, err := ParseVersion(tag)
			if err != nil {
				continue
			}
			s := seen{v, fmt.Sprintf("image %s of %s", ci.Image, pod.Ref)}
			switch {
			case strings.HasSuffix(repo, "/pilot") || repo == "pilot":
				pilots = append(pilots, s)
			case strings.HasSuffix(repo, "/proxyv2") || repo == "proxyv2" || ci.Name == "istio-proxy":
				proxies = append(proxies, s)
			}
		}
	}
	byFrom := func(a, b seen) int { return strings.Compare(a.from, b.from) }
	slices.SortFunc(pilots, byFrom)
	slices.SortFunc(proxies, byFrom)
	var pick seen
	switch {
	case len(pilots) > 0:
		pick = pilots[0]
	case len(proxies) > 0:
		pick = proxies[0]
	default:
		return
	}
	c.Version, c.VersionFrom = pick.v, pick.from
	for _, s := range append(pilots, proxies...) {
		if s.v != pick.v {
			c.warn("Istio releases differ in the inventory: %s is %s, %s is %s; predicting for %s", pick.from, pick.v, s.from, s.v, pick.v)
			break
		}
	}
}

// imageTag splits an image reference into repository and tag; ok is false
// without a tag (or with a digest only).
func imageTag(image string) (repo, tag string, ok bool) {
	image, _, _ = strings.Cut(image, "@")
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, "", false
	}
	return image[:i], image[i+1:], true
}
