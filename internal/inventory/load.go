package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// maxFileSize bounds what one inventory file may hold: a file larger than
// this is not a listing a person saved.
const maxFileSize = 256 << 20

// Load reads inventory files and merges what they hold. Each path is a file
// or a directory; a directory's regular files are read recursively, sorted
// by path, skipping names that start with a dot. Each file's kind is told by
// its content (see Parse), never by its name.
//
// A file in a directory whose content is of no known kind (a README, a
// capture, an Istio Sidecar manifest) is skipped and named in a warning; a
// file named explicitly must be an inventory, or Load fails with a
// *source.Error wrapping ErrUnrecognized.
//
// Objects read more than once are merged (see Inventory): the same pod from
// a table and from JSON becomes one Pod. A pod or service of unknown
// namespace joins the one object of that name whose namespace is known.
//
// Load stops at the first error, a *source.Error wrapping ErrRead, ErrSyntax,
// ErrInvalid or ErrUnrecognized, and returns it with what was read until
// then.
func Load(paths ...string) (*Inventory, error) {
	return LoadWith(Options{}, paths...)
}

// LoadWith is Load with options: see Options.
func LoadWith(opts Options, paths ...string) (*Inventory, error) {
	b := newBuilder()
	b.opts = opts
	for _, p := range paths {
		if err := b.loadPath(p); err != nil {
			b.finish()
			return b.inv, err
		}
	}
	b.finish()
	return b.inv, nil
}

func (b *builder) loadPath(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return readError(path, err)
	}
	if !info.IsDir() {
		return b.loadFile(path, true)
	}
	files, err := listFiles(path)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := b.loadFile(f, false); err != nil {
			return err
		}
	}
	return nil
}

// listFiles returns the regular files under dir, sorted, without dotfiles
// and dot-directories. Symbolic links to files are followed; links to
// directories are not, so that a loop cannot trap the walk.
func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return readError(p, err)
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.Type().IsRegular():
			files = append(files, p)
		case d.Type()&fs.ModeSymlink != 0:
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				files = append(files, p)
			}
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// loadFile reads one file into b. An unrecognized file is an error when
// named explicitly and a warning when found in a directory.
func (b *builder) loadFile(path string, explicit bool) error {
	data, err := readFile(path)
	if err != nil {
		return err
	}
	inv, err := parseWith(b.opts, path, data)
	if errors.Is(err, ErrUnrecognized) && !explicit {
		var e *source.Error
		errors.As(err, &e)
		b.warn("skipped %s: %v", path, e.Err)
		return nil
	}
	b.absorb(inv, isStructured(inv))
	return err
}

func isStructured(inv *Inventory) bool {
	for _, f := range inv.Files {
		switch f.Kind {
		case KindKubernetesJSON, KindKubernetesYAML:
			return true
		}
	}
	return false
}

// readFile reads a file, stopping after its first bytes when they hold a NUL
// (no text does), so that a capture left among the inventory is not read
// whole.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, readError(path, err)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return head, nil // binary: Parse rejects it without needing the rest
	}
	rest, err := io.ReadAll(io.LimitReader(f, maxFileSize))
	if err != nil {
		return nil, readError(path, err)
	}
	if len(head)+len(rest) >= maxFileSize {
		return nil, &source.Error{Prefix: prefix, Path: path, Err: source.Errorf(ErrRead, "file larger than %d MiB: expected a saved listing", maxFileSize>>20)}
	}
	return append(head, rest...), nil
}

func readError(path string, err error) *source.Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &source.Error{Prefix: prefix, Path: path, Err: fmt.Errorf("%w: %w", ErrRead, err)}
}

// Parse reads one file's content; path is used only in errors, warnings and
// positions. The kind is told by content:
//
//   - JSON (first character '{' or '['): Kubernetes objects or Lists, or
//     Envoy cluster statuses from istioctl proxy-config endpoint -o json;
//   - YAML (first line "---", "key:" or "- "): the same, in one or more
//     documents;
//   - text holding a kubectl or istioctl table or command: kubectl get
//     tables (pods, services, nodes, endpointslices, endpoints; wide or not,
//     with -A or --show-labels), istioctl proxy-config endpoint tables, and
//     terminal transcripts of those commands.
//
// Content of no known kind fails with a *source.Error wrapping
// ErrUnrecognized.
//
// On any other error (a *source.Error wrapping ErrSyntax or ErrInvalid, at the
// line and column of the bad input) Parse still returns what it read before
// the bad line or object: the inventory is partial, never silently cut.
func Parse(path string, data []byte) (*Inventory, error) {
	return parseWith(Options{}, path, data)
}

func parseWith(opts Options, path string, data []byte) (*Inventory, error) {
	b := newBuilder()
	b.opts = opts
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	kind, err := parseInto(b, path, data)
	b.finish()
	if kind != "" {
		b.inv.Files = append(b.inv.Files, File{Path: path, Kind: kind})
	}
	if err != nil {
		return b.inv, err
	}
	return b.inv, nil
}

func parseInto(b *builder, path string, data []byte) (string, error) {
	switch f := detect(data); f {
	case formatBinary:
		if c := captureKind(data); c != "" {
			return "", errAt(path, 0, 0, ErrUnrecognized, "this is a packet capture (%s), not kubectl or istioctl output: give it as an argument, not as an inventory", c)
		}
		return "", errAt(path, 0, 0, ErrUnrecognized, "binary content: expected kubectl or istioctl output as text, JSON or YAML")
	case formatUnknown:
		return "", errAt(path, 0, 0, ErrUnrecognized, "empty: expected kubectl or istioctl output")
	case formatText:
		return parseTextOrNot(b, path, data)
	default:
		return parseStructured(b, path, data, f)
	}
}

// parseStructured reads JSON or YAML. Text that merely starts like YAML
// ("Note: ..." before a table) is read as text when it holds tables.
func parseStructured(b *builder, path string, data []byte, f format) (string, error) {
	docs, derr := decodeDocuments(path, data, f)
	if derr != nil && f == formatYAML {
		if hasTables(string(data)) {
			return parseText(b, path, string(data))
		}
		if !looksKubernetes(data) {
			return "", errAt(path, 0, 0, ErrUnrecognized, "not valid YAML and no kubectl or istioctl table: expected kubectl or istioctl output")
		}
	}
	kind, err := parseDocuments(b, path, docs, f)
	if errors.Is(err, ErrUnrecognized) && f == formatYAML && hasTables(string(data)) {
		return parseText(b, path, string(data))
	}
	if derr == nil || err != nil && !errors.Is(err, ErrUnrecognized) {
		return kind, err
	}
	// The documents before the syntax error were read; the error stands.
	if kind == "" {
		kind = KindKubernetesYAML
		if f == formatJSON {
			kind = KindKubernetesJSON
		}
	}
	return kind, derr
}

func parseTextOrNot(b *builder, path string, data []byte) (string, error) {
	text := string(data)
	if !hasTables(text) {
		return "", errAt(path, 0, 0, ErrUnrecognized,
			"no kubectl or istioctl table found: expected a header such as NAME READY STATUS or ENDPOINT STATUS CLUSTER")
	}
	return parseText(b, path, text)
}
