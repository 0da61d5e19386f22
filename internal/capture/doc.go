// Package capture turns capture files and live interfaces into packet records.
//
// It accepts pcap (microsecond and nanosecond timestamps, either byte order, and
// the Kuznetzov variant), pcapng (several sections and interfaces, each with its
// own link type and timestamp resolution), either of them gzip-compressed
// (detected by content), and the text tcpdump prints with -n or -nn.
//
// Decoded link types are Ethernet with 802.1Q/802.1ad tags, Linux cooked v1 and
// v2, raw IPv4/IPv6 and BSD loopback/null. Above them it decodes IPv4, IPv6
// (with extension headers) and TCP or UDP. Everything else is counted, not
// returned: a frame that is not TCP or UDP is skipped, a frame whose headers are
// cut short or inconsistent is a problem of a named kind (see Problem), and the
// counts live in the source's Info.
//
// What allocates: opening a source allocates its buffers once. Reading a packet
// with Source.Next does not allocate: the decoder reads headers in place and
// copies only the scalars a Packet keeps. Packet.Payload aliases the source's
// buffer and is valid only until the next call to Next.
//
// Goroutines: a pcap or pcapng source frames and decodes in a goroutine of its
// own, a batch of packets ahead of Next, so that a caller updating flows runs
// on another core (batch.go); a regular file is mapped window by window rather
// than copied, a window being unmapped by the framing goroutine once Next has
// moved past every packet in it (mmap_unix.go), and the framing keeps the cache loading a few
// kilobytes ahead of the record it reads (prefetchAhead in records.go: the
// headers are too sparse for the hardware prefetcher); gzip input is
// decompressed in a third goroutine (readahead.go), from blocks a fourth reads
// ahead of it (gzipinput.go). A live source copies frames
// out of libpcap's buffer in a goroutine that does nothing else, into a bounded
// queue of reused batches that Next decodes (live_queue.go); when the queue is
// full it waits rather than drop, and the kernel counts what overflows its own
// buffer (LiveStats). Close stops them. Info is written by the framing goroutine:
// read it once Next has returned an error (io.EOF at the end), as the Source
// contract says. Sources report how many bytes they have read (Progress) to
// any goroutine.
//
// A Source is not safe for concurrent use; use one per goroutine. A Decoder is
// the same: it holds no state between calls, but sharing one gains nothing.
package capture
