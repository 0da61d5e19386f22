//go:build cgo

package capture

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"

	"github.com/gopacket/gopacket/pcap"
)

// OpenLive starts capturing on iface with libpcap, in immediate mode and
// not promiscuous. The error is a *FileError naming the interface, wrapping
// ErrNoInterface, ErrPermission or ErrBadFilter when that is the cause.
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
	inactive, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, fail(err)
	}
	defer inactive.CleanUp()
	for _, set := range []func() error{
		func() error { return inactive.SetSnapLen(snaplen) },
		func() error { return inactive.SetPromisc(false) },
		func() error { return inactive.SetTimeout(pollInterval) },
		func() error { return inactive.SetImmediateMode(true) },
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
	return &liveSource{handle: handle, info: info, link: link, opts: opts}, nil
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

type liveSource struct {
	handle  *pcap.Handle
	info    *Info
	link    LinkType
	opts    LiveOptions
	stopped atomic.Bool
	done    error
}

func (s *liveSource) Info() *Info { return s.info }

func (s *liveSource) Stop() { s.stopped.Store(true) }

func (s *liveSource) Close() error {
	s.handle.Close()
	if s.opts.Write != nil {
		return s.opts.Write.Flush()
	}
	return nil
}

func (s *liveSource) Next(p *Packet) error {
	if s.done != nil {
		return s.done
	}
	for {
		if s.stopped.Load() || (s.opts.Count > 0 && s.info.Records >= s.opts.Count) {
			s.done = io.EOF
			return s.done
		}
		data, ci, err := s.handle.ZeroCopyReadPacketData()
		if err == pcap.NextErrorTimeoutExpired {
			if s.opts.Idle != nil {
				s.opts.Idle()
			}
			continue
		}
		if err != nil {
			s.done = &FileError{Path: s.info.Name, Offset: -1, Record: s.info.Records + 1, Err: err}
			return s.done
		}
		if s.opts.Write != nil {
			if err := s.opts.Write.WritePacket(ci.Timestamp, data, ci.Length); err != nil {
				s.done = &FileError{Path: s.info.Name, Offset: -1, Record: s.info.Records + 1, Err: fmt.Errorf("writing the capture: %w", err)}
				return s.done
			}
		}
		*p = Packet{Num: s.info.Records + 1, Time: ci.Timestamp.UTC(), Length: max(ci.Length, len(data))}
		o := Decode(s.link, data, p)
		s.info.count(o, p, s.link)
		if o == Decoded {
			return nil
		}
	}
}
