package istio

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pcapcheck/pcapcheck/internal/source"
	"github.com/pcapcheck/pcapcheck/internal/spell"
)

// The fields of a Sidecar object, as istio/api networking/v1/sidecar.proto
// defines them. A field outside these is a mistake kubectl apply rejects
// (the CRD's schema is structural) and that would otherwise be read as
// absent: "egres:" would make a Sidecar that imports every namespace.
var (
	sidecarObjectFields = []string{"apiVersion", "kind", "metadata", "spec", "status"}
	sidecarSpecFields   = []string{"workloadSelector", "ingress", "egress", "outboundTrafficPolicy", "inboundConnectionPool"}
	egressFields        = []string{"port", "bind", "captureMode", "hosts"}
	portFields          = []string{"number", "protocol", "name", "targetPort"}
	selectorFields      = []string{"labels"}
	policyFields        = []string{"mode", "egressProxy"}
)

// checkSidecarFields returns an error at the first field of the Sidecar n
// that its schema does not have.
func checkSidecarFields(r source.Reader, n *yaml.Node) *source.Error {
	if err := knownFields(r, n, "", sidecarObjectFields); err != nil {
		return err
	}
	spec := source.Field(n, "spec")
	if err := knownFields(r, spec, "spec.", sidecarSpecFields); err != nil {
		return err
	}
	if err := knownFields(r, source.Field(spec, "workloadSelector"), "spec.workloadSelector.", selectorFields); err != nil {
		return err
	}
	if err := knownFields(r, source.Field(spec, "outboundTrafficPolicy"), "spec.outboundTrafficPolicy.", policyFields); err != nil {
		return err
	}
	if eg := source.Field(spec, "egress"); eg != nil && eg.Kind == yaml.SequenceNode {
		for i, item := range eg.Content {
			what := source.Indexed("spec.egress", i) + "."
			if err := knownFields(r, item, what, egressFields); err != nil {
				return err
			}
			if err := knownFields(r, source.Field(item, "port"), what+"port.", portFields); err != nil {
				return err
			}
		}
	}
	return nil
}

// knownFields returns an error at the first key of the mapping n not in
// fields; nothing when n is not a mapping (its reader says what it expects).
func knownFields(r source.Reader, n *yaml.Node, prefix string, fields []string) *source.Error {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if slices.Contains(fields, k.Value) {
			continue
		}
		return r.Invalidf(k, "unknown field %s%s in a Sidecar (kubectl apply rejects it): expected one of %s%s",
			prefix, k.Value, strings.Join(fields, ", "), spell.Suffix(k.Value, fields))
	}
	return nil
}
