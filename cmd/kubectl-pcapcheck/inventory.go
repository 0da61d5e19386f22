package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// inventoryCmd holds the flags of `kubectl pcapcheck inventory`.
type inventoryCmd struct {
	clients        *clients
	streams        genericiooptions.IOStreams
	allNamespaces  bool
	output         string
	registries     []string
	istioNamespace string
	// labNetns is the lab's stand-in for the port-forward (hidden).
	labNetns string
}

func newInventoryCmd(c *clients, streams genericiooptions.IOStreams) *cobra.Command {
	ic := &inventoryCmd{clients: c, streams: streams}
	cmd := &cobra.Command{
		Use:   "inventory [-n NAMESPACE | -A] [-o FILE] [--registry POD]...",
		Short: "Write one file with everything pcapcheck reads of the cluster (pcapcheck analyze --inventory FILE)",
		Long: `Writes an inventory bundle: one kubectl List (as kubectl get -o json prints it) with the
pods, services, EndpointSlices, nodes, Istio Sidecars and ServiceEntries, the istio
ConfigMap (the mesh config), and for each --registry POD the registry of its sidecar,
read from Envoy's admin API (/clusters?format=json on port 15000) through a
port-forward, as istioctl proxy-config endpoint does. pcapcheck reads it back with
--inventory FILE.`,
		Example: `  kubectl pcapcheck inventory -A -o inventory.json --registry default/my-shell
  pcapcheck analyze pod.pcap --inventory inventory.json`,
		Args: cobra.NoArgs,
		RunE: ic.run,
	}
	f := cmd.Flags()
	f.BoolVarP(&ic.allNamespaces, "all-namespaces", "A", false, "list every namespace (what verdicts across namespaces need); without it, -n's or the context's namespace")
	f.StringVarP(&ic.output, "output", "o", "-", "file to write the bundle to; - for standard output")
	f.StringArrayVar(&ic.registries, "registry", nil, "a pod (NAME in -n's namespace, or NAMESPACE/NAME) whose sidecar registry is read; repeatable")
	f.StringVar(&ic.istioNamespace, "istio-namespace", "istio-system", "the namespace of istiod and its istio ConfigMap")
	f.StringVar(&ic.labNetns, labNetnsFlag, "", "")
	f.MarkHidden(labNetnsFlag)
	return cmd
}

func (ic *inventoryCmd) run(cmd *cobra.Command, _ []string) error {
	if err := ic.clients.load(); err != nil {
		return err
	}
	ns, err := ic.clients.namespace()
	if err != nil {
		return err
	}
	opts := exportOptions{namespace: ns, istioNamespace: ic.istioNamespace}
	if ic.allNamespaces {
		opts.namespace = ""
	}
	for _, r := range ic.registries {
		p, err := parsePodRef(r, ns)
		if err != nil {
			return err
		}
		opts.registries = append(opts.registries, p)
	}
	b, err := ic.exporter().export(cmd.Context(), opts)
	if err != nil {
		return err
	}
	return writeBundle(ic.output, ic.streams.Out, b)
}

func (ic *inventoryCmd) exporter() *exporter {
	c := ic.clients
	var reg registryReader = &portForwardRegistry{cfg: c.cfg, kube: c.kube}
	if ic.labNetns != "" {
		reg = labRegistry{netns: ic.labNetns}
	}
	return &exporter{kube: c.kube, dyn: c.dyn, registry: reg, warn: warner(ic.streams.ErrOut)}
}

// warner prints warnings, one a line.
func warner(w io.Writer) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(w, "kubectl pcapcheck: warning: "+format+"\n", args...)
	}
}

// writeBundle writes b to path, or to stdout for "-".
func writeBundle(path string, stdout io.Writer, b *bundle) error {
	if path == "-" || path == "" {
		_, err := b.WriteTo(stdout)
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the inventory: %w", err)
	}
	return nil
}

// parsePodRef reads "NAME" (in namespace ns), "NAMESPACE/NAME", or
// "pod/NAME".
func parsePodRef(s, ns string) (podRef, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "pods/"), "pod/")
	if a, b, ok := strings.Cut(s, "/"); ok {
		ns, s = a, b
	}
	if s == "" || ns == "" || strings.Contains(s, "/") {
		return podRef{}, usagef("%q does not name a pod: give NAME or NAMESPACE/NAME", s)
	}
	return podRef{namespace: ns, name: s}, nil
}
