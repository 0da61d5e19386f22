package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// TestIstioctlListingAlone: an istioctl endpoint listing, with no kubectl
// output, makes its endpoints known as endpoints of their services (issue
// 14): a flow to one is the sidecar's pick, not an external address.
func TestIstioctlListingAlone(t *testing.T) {
	inv, err := inventory.Load("../../fixtures/bookinfo/before/shell3-istioctl.txt")
	require.NoError(t, err)
	tests := []struct {
		name    string
		flow    string
		verdict report.Verdict
		service string
	}{
		{"an endpoint of reviews", "10.244.2.34:42122 > 10.244.1.31:9080", report.SidecarDNAT, "bookinfo/reviews"},
		{"an address the listing does not have", "10.244.2.34:42124 > 10.244.9.9:9080", report.External, ""},
		{"a listed address on another port", "10.244.2.34:42126 > 10.244.1.31:8080", report.External, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := analyzeAll(t, inv, newSource(t, "c.pcap", pk{flow: tt.flow, flags: "S"}))
			require.Len(t, rep.Flows, 1)
			assert.Equal(t, tt.verdict, rep.Flows[0].Verdict, sentences(rep.Flows[0]))
			assert.Equal(t, tt.service, rep.Flows[0].Service.String())
		})
	}
}
