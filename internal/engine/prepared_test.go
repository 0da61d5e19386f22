package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// synthAny rewrites synthPcap's capture as tcpdump -i any records it on a
// node: Linux cooked v2, every packet twice, on the pod's veth (interface
// index 7) and on eth0 (index 2), TTL one lower on the second sighting.
func synthAny(flows, packets int) []byte {
	in := synthPcap(flows, packets)
	out := append([]byte(nil), in[:24]...)
	binary.LittleEndian.PutUint32(out[20:24], uint32(capture.LinkLinuxSLL2))
	for rest := in[24:]; len(rest) >= 16; {
		capLen := int(binary.LittleEndian.Uint32(rest[8:12]))
		hdr, frame := rest[:16], rest[16:16+capLen]
		rest = rest[16+capLen:]
		for i, ifindex := range []uint32{7, 2} {
			sll := binary.BigEndian.AppendUint16(nil, 0x0800)
			sll = append(sll, 0, 0)
			sll = binary.BigEndian.AppendUint32(sll, ifindex)
			sll = binary.BigEndian.AppendUint16(sll, 1) // ARPHRD_ETHER
			sll = append(sll, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0)
			ip := bytes.Clone(frame[14:])
			ip[8] -= byte(i)
			rec := binary.LittleEndian.AppendUint32(bytes.Clone(hdr[:8]), uint32(len(sll)+len(ip)))
			rec = binary.LittleEndian.AppendUint32(rec, uint32(len(sll)+len(ip)))
			out = append(append(append(out, rec...), sll...), ip...)
		}
	}
	return out
}

// packetByPacket hides a source's batches, so that Run adds its packets
// one at a time, fingerprinted on the analyzer's goroutine: the path the
// framing goroutine's fingerprinting (runBatches) must agree with.
type packetByPacket struct{ capture.Source }

// TestFingerprintedOnTheFramingGoroutine: the packets of a capture that
// can hold a packet twice are fingerprinted by the framing goroutine
// (capture.Preparer, runBatches); its report is the one of the same
// capture added packet by packet. The oracle is the analyzer's own
// per-packet path, which fingerprints each packet where it adds it. Captures: the lab's node-wide ones (real kernel
// traffic, several batches each) and a synthetic one of 40,000 records.
func TestFingerprintedOnTheFramingGoroutine(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/lab/testdata/*/*/any.pcap")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	inputs := map[string][]byte{"synthetic any": synthAny(2_000, 20_000)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		inputs[f] = b
	}
	report := func(t *testing.T, data []byte, hide bool) []byte {
		src, err := capture.NewReader("any.pcap", bytes.NewReader(data), nil)
		require.NoError(t, err)
		defer src.Close()
		_, prepared := src.(capture.Preparer)
		require.True(t, prepared, "a pcap source can prepare batches on its framing goroutine")
		if hide {
			src = packetByPacket{src}
		}
		a := New(Options{})
		require.NoError(t, a.Run(context.Background(), src))
		out, err := json.Marshal(a.Result().Collect())
		require.NoError(t, err)
		return out
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want := report(t, data, true)
			require.Equal(t, string(want), string(report(t, data, false)))
		})
	}
}
