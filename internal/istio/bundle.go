package istio

import (
	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// ReadBundle reads one inventory file, an inventory bundle as kubectl
// pcapcheck inventory writes it in particular, with the Istio configuration
// it holds: its Sidecars, ServiceEntries and mesh config go to the Config,
// whose Istio version is taken from the inventory's images. path is used in
// errors and positions. An error is the inventory's or this package's
// *source.Error at the bad line.
func ReadBundle(path string, data []byte) (*inventory.Inventory, *Config, error) {
	cfg := &Config{}
	inv, err := inventory.ParseWith(inventory.Options{Documents: cfg.Take}, path, data)
	if err != nil {
		return nil, nil, fromInventory(err)
	}
	cfg.Finish()
	cfg.SetVersionFromInventory(inv)
	return inv, cfg, nil
}
