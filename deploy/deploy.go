// Package deploy holds the Kubernetes manifests of the pcapcheck agent —
// its namespace, ServiceAccount, read-only ClusterRole and binding, and
// DaemonSet — as the plain YAML files of this directory, embedded, so that
// `kubectl pcapcheck audit` applies exactly what GitOps users apply with
// `kubectl apply -f deploy/`.
//
// Manifests returns the files in the order they apply in (a namespace
// before what lives in it); Render does the same with the agent's image
// and arguments replaced. Both return fresh copies: callers may change
// them. The package imports no Kubernetes library: it is text, decoded by
// whoever applies it.
package deploy

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Names of what the manifests create, for callers that wait on, gather
// from, or delete them.
const (
	Namespace          = "pcapcheck"
	ServiceAccount     = "pcapcheck-agent"
	ClusterRole        = "pcapcheck-agent"
	ClusterRoleBinding = "pcapcheck-agent"
	DaemonSet          = "pcapcheck-agent"
	// Container is the agent's container in the DaemonSet's pods, whose
	// log holds its reports.
	Container = "agent"
	// Selector selects the agent's pods (and every object here carries it).
	Selector = "app.kubernetes.io/name=pcapcheck-agent"
	// DefaultImage is the image the DaemonSet names.
	DefaultImage = "ghcr.io/pcapcheck/pcapcheck:latest"
)

// defaultArgs are the agent's arguments in the DaemonSet, as written there.
var defaultArgs = []string{"agent", "--interval=5m"}

// Manifest is one file of deploy/.
type Manifest struct {
	// Name is the file's name ("30-daemonset.yaml").
	Name string
	// Data is its YAML: one or more documents.
	Data []byte
}

// Manifests returns the files in apply order.
func Manifests() []Manifest {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	var out []Manifest
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, Manifest{Name: e.Name(), Data: data})
	}
	slices.SortFunc(out, func(a, b Manifest) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Options change the DaemonSet Render writes. The zero value renders the
// files as they are.
type Options struct {
	// Image replaces DefaultImage when set.
	Image string
	// Args replaces the agent's arguments when not nil; the first is the
	// subcommand, "agent".
	Args []string
}

// ErrBadOption is wrapped by Render's error for an option it cannot
// write into the YAML.
var ErrBadOption = errors.New("deploy: bad option")

// Render returns the manifests with opts applied to the DaemonSet.
func Render(opts Options) ([]Manifest, error) {
	ms := Manifests()
	for i, m := range ms {
		if !bytes.Contains(m.Data, []byte("\nkind: DaemonSet\n")) {
			continue
		}
		data := string(m.Data)
		if opts.Image != "" {
			if !validImage(opts.Image) {
				return nil, fmt.Errorf("%w: image %q: expected a name such as registry/pcapcheck:tag", ErrBadOption, opts.Image)
			}
			data = strings.Replace(data, "image: "+DefaultImage+"\n", "image: "+opts.Image+"\n", 1)
		}
		if opts.Args != nil {
			var b strings.Builder
			b.WriteString("args:\n")
			for _, a := range opts.Args {
				b.WriteString("            - ")
				b.WriteString(quoteYAML(a))
				b.WriteString("\n")
			}
			old := "args:\n"
			for _, a := range defaultArgs {
				old += "            - " + a + "\n"
			}
			if !strings.Contains(data, old) {
				return nil, fmt.Errorf("%w: the DaemonSet's args are not the ones Render replaces", ErrBadOption)
			}
			data = strings.Replace(data, old, b.String(), 1)
		}
		ms[i].Data = []byte(data)
	}
	return ms, nil
}

// validImage rejects what would not stay one plain YAML scalar; the
// registry judges the rest.
func validImage(s string) bool {
	return !strings.ContainsAny(s, " \t\r\n\"'#{}[],&*!|>%@`") || validDigest(s)
}

// validDigest accepts name@sha256:HEX.
func validDigest(s string) bool {
	name, digest, ok := strings.Cut(s, "@")
	return ok && validImage(name) && strings.HasPrefix(digest, "sha256:") && !strings.ContainsAny(digest, " \t\r\n\"'#{}[],&*!|>%@`")
}

// quoteYAML writes s as a double-quoted YAML scalar, which JSON's string
// syntax is.
func quoteYAML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
