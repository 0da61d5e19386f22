//go:build !cgo

package capture

// OpenLive is not available without cgo: libpcap is a C library.
func OpenLive(iface string, opts LiveOptions) (LiveSource, error) {
	return nil, &FileError{Path: "interface " + iface, Offset: -1, Err: ErrNoLibpcap}
}
