package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// corpusDir holds tcpdump's regression captures: ../shared/corpus/tcpdump
// from the repository's root (../shared/corpus/README.md). Fuzz targets seed
// from it when it is present.
const corpusDir = "../../../shared/corpus/tcpdump"

// corpusFile reads one corpus file, or returns nil when the corpus is absent.
func corpusFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// corpusReaderSeeds are whole corpus files for FuzzReader, each chosen for
// the framing edge it probes.
var corpusReaderSeeds = []string{
	"tcp-handshake-nano.pcap",       // nanosecond pcap, Linux cooked v1
	"timestamp_invalid_nano.pcap",   // nanosecond fractions of a second or more
	"time_2106_overflow.pcapng",     // a timestamp past 2106 in 64-bit pcapng units
	"of13_ericsson.pcapng",          // a pcapng of 174 packets with options on every block
	"bgp-role.pcapng",               // pcapng with a Linux cooked interface
	"empty.pcapng",                  // a section header and nothing else
	"hdlc_slarp.pcapng",             // an interface of a link type Decode does not handle
	"vsock-1.pcapng",                // link type 271, ten frames counted unsupported
	"hoobr_juniper3.pcap",           // FCS bits set in the top of the link type field
	"ikev2pI2-segfault.pcapng",      // a fuzzer-found pcapng with a BSD loopback interface
	"quic_handshake_truncated.pcap", // records cut by the snapshot length
	"ipv4_tcp_http_xml_tso.pcap",    // TSO frames larger than the MTU
	"ipv6_jumbogram_1.pcap",         // an IPv6 jumbogram: payload length 0
	"bigtcp-ipv6-vxlan-ipv6.pcap",   // BIG TCP: frames over 64 KiB
}

// corpusDecodeSeed is one frame for FuzzDecode.
type corpusDecodeSeed struct {
	link  uint8 // index into fuzzLinks
	frame []byte
}

// corpusDecodeFiles are corpus files whose frames seed FuzzDecode, each
// chosen for the decoding edge it probes.
var corpusDecodeFiles = []string{
	"LINKTYPE_IPV4_invalid.pcap",             // raw IPv4 with an impossible header
	"LINKTYPE_IPV6_invalid.pcap",             // raw IPv6 with an impossible header
	"hoobr_rt6_print.pcap",                   // an IPv6 routing header that reads out of bounds
	"ipv6-next-header-oobr-1.pcap",           // an extension header chain that runs off the frame
	"ipv6-rthdr-oobr.pcap",                   // a routing header longer than the frame
	"ipv6hdr-heapoverflow.pcap",              // an IPv6 header cut short
	"ipv6-mobility-header-oobr.pcap",         // a mobility header, which Decode walks past
	"ipv6_frag6_negative_len.pcap",           // a fragment header with a length that goes negative
	"ipv6_missing_jumbo_payload_option.pcap", // payload length 0 without a jumbo option
	"heap-overflow-1.pcap",                   // raw IP with a broken header
	"ipv4_invalid_hdr_length.pcap",           // IPv4 header length below 20
	"ipv4_invalid_total_length_2.pcap",       // IPv4 total length below its header
	"ipv4_invalid_length.pcap",               // IPv4 total length beyond the frame
	"tcp_header_heapoverflow.pcap",           // a TCP header cut short
	"udp-length-heapoverflow.pcap",           // a UDP length beyond the frame
	"mptcp-v1.pcap",                          // TCP with MPTCP options behind Linux cooked v1
	"802.1ad_QinQ.pcap",                      // 802.1ad and 802.1Q tags
	"beep-oobr.pcap",                         // raw IPv6, one frame malformed
	"tcp_rst_diag_payload-trunc.pcap",        // BSD loopback, a TCP payload cut short
	"afs.pcap",                               // IPv4 fragments, first and later
	"gre-heapoverflow-1.pcap",                // GRE: TCP inside a tunnel Decode does not open
	"vxlan.pcap",                             // VXLAN: UDP outside, TCP inside
	"pppoe.pcap",                             // PPPoE, not an EtherType Decode follows
	"mpls-ldp-hello.pcap",                    // MPLS labels before IP
	"macsec-snap.pcap",                       // 802.3 with LLC/SNAP
	"nflog.pcap",                             // a link type Decode does not handle
}

// corpusDecodeSeeds returns up to four frames of each corpusDecodeFiles
// file, with its link type; none when the corpus is absent.
func corpusDecodeSeeds(tb testing.TB) []corpusDecodeSeed {
	var out []corpusDecodeSeed
	for _, name := range corpusDecodeFiles {
		data := corpusFile(tb, name)
		if data == nil {
			continue
		}
		for _, fr := range rawFrames(tb, name, data, 4) {
			if i, ok := fuzzLinkIndex(fr.link); ok {
				out = append(out, corpusDecodeSeed{link: i, frame: fr.data})
			}
		}
	}
	return out
}

// rawFrame is one record's bytes and its file's link type.
type rawFrame struct {
	link LinkType
	data []byte
}

// rawFrames reads up to max records of a pcap file. It is written apart
// from this package's framing so that seeds do not depend on what they
// test; corpusDecodeFiles are all pcap files.
func rawFrames(tb testing.TB, name string, data []byte, max int) []rawFrame {
	tb.Helper()
	if len(data) < 24 {
		tb.Fatalf("%s: no pcap file header", name)
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(data) {
	case 0xA1B2C3D4, 0xA1B23C4D:
	case 0xD4C3B2A1, 0x4D3CB2A1:
		order = binary.BigEndian
	default:
		tb.Fatalf("%s: not a pcap file", name)
	}
	link := LinkType(order.Uint32(data[20:24]) & 0xFFFF)
	var out []rawFrame
	for rest := data[24:]; len(out) < max && len(rest) >= 16; {
		n := int(order.Uint32(rest[8:12]))
		if n > len(rest)-16 {
			break
		}
		out = append(out, rawFrame{link: link, data: bytes.Clone(rest[16 : 16+n])})
		rest = rest[16+n:]
	}
	return out
}

// watchdog panics, with every goroutine's stack, when one fuzz input takes
// longer than d: the fuzzing engine would otherwise wait on a hang to the
// end of -fuzztime and report nothing. The panic kills the worker, and the
// engine keeps the input as a crasher.
func watchdog(d time.Duration, n int) (stop func()) {
	timer := time.AfterFunc(d, func() {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		panic(fmt.Sprintf("an input of %d bytes took over %v:\n%s", n, d, buf))
	})
	return func() { timer.Stop() }
}
