package istio

import (
	"errors"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/inventory"

	"github.com/pcapcheck/pcapcheck/internal/source"
)

// Take reads a document that an inventory load does not read itself, and
// reports whether it was Istio configuration this package uses: a Sidecar
// object or a mesh config. It has the signature of
// inventory.Options.Documents:
//
//	cfg := &mesh.Config{}
//	inv, err := inventory.LoadWith(inventory.Options{Documents: cfg.Take}, paths...)
//
// A malformed Sidecar or mesh config is a *source.Error wrapping
// ErrInvalid at the bad value. Other documents are left to the inventory,
// which counts them as skipped.
func (c *Config) Take(d inventory.Document) (bool, *source.Error) {
	var taken bool
	var err *source.Error
	switch d.Kind {
	case "Sidecar":
		taken, err = true, c.readSidecar(d)
	case "ServiceEntry":
		taken, err = true, c.readServiceEntry(d)
	default:
		taken, err = c.readMeshConfig(d)
	}
	if taken && err == nil {
		c.taken++
		if !slices.Contains(c.Files, d.Path) {
			c.Files = append(c.Files, d.Path)
		}
	}
	return taken, err
}

// Load reads files (or directories of them) of Sidecar objects or mesh
// config, as --sidecars and --mesh-config give them. Each path must hold at
// least one; kubectl listings among them are read and ignored. It fails with
// a *source.Error wrapping ErrNoConfig, ErrInvalid or one of the inventory's
// sentinels (inventory.ErrSyntax for malformed YAML), at the bad line.
func (c *Config) Load(paths ...string) error {
	for _, p := range paths {
		before := c.taken
		if _, err := inventory.LoadWith(inventory.Options{Documents: c.Take}, p); err != nil {
			return fromInventory(err)
		}
		if c.taken == before {
			return errNoConfig(p)
		}
	}
	c.Finish()
	return nil
}

// Finish sorts what was read. Load calls it; call it after an inventory
// load that used Take.
func (c *Config) Finish() {
	slices.SortFunc(c.Sidecars, func(a, b *Sidecar) int {
		return strings.Compare(a.Ref.String(), b.Ref.String())
	})
}

// LoadMesh reads files given as mesh config (--mesh-config), as Load does;
// there a document without kind and without fields, {}, is a MeshConfig
// with istiod's defaults.
func (c *Config) LoadMesh(paths ...string) error {
	c.meshFile = true
	defer func() { c.meshFile = false }()
	return c.Load(paths...)
}

// IsNoConfig reports whether err says a file held no Istio configuration.
func IsNoConfig(err error) bool { return errors.Is(err, ErrNoConfig) }

// Parse reads one file's content of Sidecar objects or mesh config, as Load
// reads a file; path is used in errors and positions. It fails with
// ErrNoConfig when the content holds neither.
func (c *Config) Parse(path string, data []byte) error {
	before := c.taken
	if _, err := inventory.ParseWith(inventory.Options{Documents: c.Take}, path, data); err != nil {
		return fromInventory(err)
	}
	if c.taken == before {
		return errNoConfig(path)
	}
	c.Finish()
	return nil
}
