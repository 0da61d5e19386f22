package capture

// VerdictFilter is the BPF filter (tcpdump's syntax) that `pcapcheck agent`
// captures with: the packets a verdict rests on, and not the bulk of a
// busy node's traffic.
//
//   - TCP segments with SYN, FIN or RST: the handshake orients a
//     connection (who is the client), tcpdump -i any's two sightings of a
//     SYN show kube-proxy's DNAT, and FIN and RST end it.
//   - TCP segments with PSH: a ClientHello (SNI, ALPN) or an HTTP request
//     line is one write, whose last segment carries PSH; so do the first
//     replies. A bulk transfer's full segments mostly do not (GSO splits a
//     large write into segments of which only the last has PSH), nor does
//     any pure ACK, which is most of the rest.
//   - UDP to or from port 53: DNS, which the sidecar may capture (Istio's
//     DNS proxy). Other UDP is left out: the sidecar never intercepts it,
//     so it has no verdict to get wrong, and it can be a node's heaviest
//     traffic (QUIC, media, VXLAN between nodes).
//
// IPv6 is matched by the fixed TCP header after a 40-byte IPv6 header
// (libpcap cannot index tcp[] in IPv6); a segment behind extension headers
// is left out. Packet and byte counts in a report made with the filter
// count only what it let through.
const VerdictFilter = "(ip and tcp and tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst|tcp-push) != 0)" +
	" or (ip6 and ip6[6] = 6 and ip6[53] & 0x0f != 0)" +
	" or (udp port 53)"

// VerdictSnaplen is the snaplen `pcapcheck agent` captures with: a whole
// 1500-byte segment, so that a ClientHello that fits one segment is read
// whole (a post-quantum key share pushes the SNI past a kilobyte).
const VerdictSnaplen = 1500
