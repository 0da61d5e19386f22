package main

import (
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// newRootCmd builds the command tree. Commands write to the given streams,
// so that tests run them in-process.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "pcapcheck",
		Short: "Tell which flows of a capture went through the Istio sidecar and which bypassed it",
		Long: `pcapcheck reads packet captures (pcap, pcapng, gzip, or tcpdump -n text) and joins
them with the cluster's inventory (kubectl get pods/services -o wide or -o json/yaml,
EndpointSlices, istioctl proxy-config endpoint) to say, for every TCP and UDP flow,
whether the sidecar DNATed it to a pod (in the mesh) or passed it through to a
Service ClusterIP where kube-proxy picks the pod (outside the mesh).`,
		Version:       buildVersion(debug.ReadBuildInfo()),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newAnalyzeCmd(), newCompareCmd(), newLiveCmd(), newScopeCmd(), newSuggestCmd(), newCheckCmd(), newAgentCmd(), newMergeCmd())
	wrapHelp(root, helpWidth(stdout))
	return root
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
