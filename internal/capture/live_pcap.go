//go:build cgo

package capture

import (
	"fmt"
	"net"
	"strings"

	"github.com/gopacket/gopacket/pcap"
)

// OpenLive starts capturing on iface with libpcap, not promiscuous, into a
// kernel buffer of LiveOptions.BufferSize. The error is a *FileError
// naming the interface, wrapping ErrNoInterface, ErrPermission or
// ErrBadFilter when that is the cause.
//
// libpcap is not put in immediate mode: on Linux that would make it fall
// back from TPACKET_V3, whose buffer blocks hold frames end to end, to
// TPACKET_V2, whose slots are sized for the largest frame the snaplen
// allows (64 KiB and more on an interface with offloads), so that a few
// dozen frames fill the buffer. Frames wait instead for at most
// pollInterval, libpcap's buffer timeout.
func OpenLive(iface string, opts LiveOptions) (LiveSource, error) {
	name := "live " + iface
	fail := func(err error) error { return &FileError{Path: "interface " + iface, Offset: -1, Err: err} }
	if _, err := net.InterfaceByName(iface); err != nil && iface != "any" {
		return nil, fail(ErrNoInterface)
	}
	snaplen := opts.Snaplen
	if snaplen <= 0 {
		snaplen = pcapMaxSnaplen
	}
	buffer := opts.BufferSize
	if buffer <= 0 {
		buffer = DefaultLiveBuffer
	}
	inactive, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, fail(err)
	}
	defer inactive.CleanUp()
	for _, set := range []func() error{
		func() error { return inactive.SetSnapLen(snaplen) },
		func() error { return inactive.SetPromisc(false) },
		func() error { return inactive.SetTimeout(pollInterval) },
		func() error { return inactive.SetBufferSize(buffer) },
	} {
		if err := set(); err != nil {
			return nil, fail(err)
		}
	}
	handle, err := inactive.Activate()
	if err != nil {
		return nil, fail(activateError(err))
	}
	if opts.Filter != "" {
		if err := handle.SetBPFFilter(opts.Filter); err != nil {
			handle.Close()
			return nil, fail(fmt.Errorf("%w %q: %v", ErrBadFilter, opts.Filter, err))
		}
	}
	link := LinkType(handle.LinkType())
	if opts.Write != nil {
		if err := opts.Write.start(link, snaplen); err != nil {
			handle.Close()
			return nil, fail(err)
		}
	}
	info := &Info{Name: name, Format: FormatLive, Interfaces: []Interface{{Name: iface, LinkType: link}}}
	return newLiveSource(pcapFrames{handle}, info, link, opts), nil
}

// activateError names the libpcap activation failures users can fix.
func activateError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "No Such Device"):
		return ErrNoInterface
	case strings.Contains(msg, "Permission Denied"), strings.Contains(msg, "Operation not permitted"):
		return ErrPermission
	}
	return err
}

// pcapFrames reads frames from a libpcap handle.
type pcapFrames struct{ h *pcap.Handle }

func (r pcapFrames) read() ([]byte, int64, int, error) {
	data, ci, err := r.h.ZeroCopyReadPacketData()
	if err == pcap.NextErrorTimeoutExpired {
		return nil, 0, 0, errReadTimeout
	}
	if err != nil {
		return nil, 0, 0, err
	}
	return data, ci.Timestamp.UnixNano(), ci.Length, nil
}

func (r pcapFrames) stats() (LiveStats, error) {
	st, err := r.h.Stats()
	if err != nil {
		return LiveStats{}, err
	}
	return LiveStats{Received: st.PacketsReceived, KernelDropped: st.PacketsDropped, InterfaceDropped: st.PacketsIfDropped}, nil
}

func (r pcapFrames) close() { r.h.Close() }
