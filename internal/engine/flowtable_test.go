package engine

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// TestKeyOf: a packet's key holds its endpoints in order whichever way it
// was sent, and gives them back as they were; the words of an address are
// those of its 16-byte form (the oracle is netip's As16).
func TestKeyOf(t *testing.T) {
	tests := []struct {
		name     string
		src, dst string
		wantSide uint8
	}{
		{name: "IPv4, smaller source", src: "10.244.2.10:40000", dst: "10.96.1.5:9080", wantSide: sideB},
		{name: "IPv4, larger source", src: "10.96.1.5:9080", dst: "10.244.2.10:40000", wantSide: sideA},
		{name: "IPv4, same address, ports decide", src: "127.0.0.1:15001", dst: "127.0.0.1:8080", wantSide: sideB},
		{name: "IPv6", src: "[fd00::1]:443", dst: "[fd00::2]:50000", wantSide: sideA},
		{name: "IPv4-mapped IPv6 is not IPv4", src: "[::ffff:10.0.0.1]:80", dst: "[::ffff:10.0.0.2]:81", wantSide: sideA},
		{name: "high bits", src: "255.255.255.255:65535", dst: "0.0.0.0:0", wantSide: sideB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := capture.Packet{Transport: capture.TCP, Src: netip.MustParseAddrPort(tc.src), Dst: netip.MustParseAddrPort(tc.dst)}
			k, side := keyOf(&p)
			assert.Equal(t, tc.wantSide, side)
			assert.Equal(t, p.Src, k.endpoint(side))
			assert.Equal(t, p.Dst, k.endpoint(1-side))
			assert.Negative(t, k.A().Compare(k.B()), "A orders before B")
			for _, ap := range []netip.AddrPort{p.Src, p.Dst} {
				b := ap.Addr().As16()
				hi, lo := addrWords(ap.Addr())
				assert.Equal(t, binary.BigEndian.Uint64(b[:8]), hi, ap)
				assert.Equal(t, binary.BigEndian.Uint64(b[8:]), lo, ap)
			}
			back := p
			back.Src, back.Dst = p.Dst, p.Src
			k2, side2 := keyOf(&back)
			assert.Equal(t, k, k2, "both directions have one key")
			assert.Equal(t, 1-side, side2)
		})
	}
}

// TestAddrOf: addrOf gives back the address addrWords split, the oracle
// being the address itself; its IPv4 shortcut applies to the IPv4-mapped
// form only, so an IPv6 address under a key marked IPv4 (no decoder makes
// one) comes back as it was.
func TestAddrOf(t *testing.T) {
	tests := []struct {
		name string
		addr string
		is4  bool
	}{
		{name: "IPv4", addr: "10.244.2.10", is4: true},
		{name: "IPv4 zero", addr: "0.0.0.0", is4: true},
		{name: "IPv4 broadcast", addr: "255.255.255.255", is4: true},
		{name: "IPv6", addr: "fd00::1"},
		{name: "IPv4-mapped IPv6 stays IPv6", addr: "::ffff:10.0.0.1"},
		{name: "IPv6 under a key marked IPv4", addr: "fd00::1", is4: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := netip.MustParseAddr(tc.addr)
			hi, lo := addrWords(a)
			assert.Equal(t, a, addrOf(hi, lo, tc.is4))
		})
	}
}
