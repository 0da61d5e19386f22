package engine

import (
	"encoding/binary"
	"net/netip"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// ownerCache remembers the inventory's owner of the addresses looked up
// last, direct-mapped: judging a flow asks for the owners of its client and
// server some five times, and the flows of a capture go to and from a few
// thousand addresses, where each answer from the index's map cost a hash
// of the address and a probe. It holds answers of the immutable index only,
// so it never changes one. Not safe for concurrent use: each flowMaker has
// its own (in its classifier).
type ownerCache struct {
	slots *[ownerSlots]ownerSlot
}

type ownerSlot struct {
	addr  netip.Addr
	set   bool
	owner inventory.Owner
}

const ownerSlotBits = 10
const ownerSlots = 1 << ownerSlotBits

// owner returns idx.Owner(addr).
func (c *ownerCache) owner(idx *inventory.Index, addr netip.Addr) inventory.Owner {
	if c.slots == nil {
		c.slots = new([ownerSlots]ownerSlot)
	}
	b := addr.As16()
	h := (binary.LittleEndian.Uint64(b[8:]) ^ binary.LittleEndian.Uint64(b[:8])) * 0x9E3779B97F4A7C15
	s := &c.slots[h>>(64-ownerSlotBits)]
	if s.set && s.addr == addr {
		return s.owner
	}
	s.addr, s.set, s.owner = addr, true, idx.Owner(addr)
	return s.owner
}
