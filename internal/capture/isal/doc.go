// Package isal reads gzip streams with Intel's ISA-L inflater (igzip), in
// builds with the isal build tag, cgo and amd64; ReadHeader, the gzip member
// header reader it uses, is pure Go and always built.
//
// ISA-L decodes deflate two to three times as fast as compress/gzip and
// about twice as fast as github.com/klauspost/compress/gzip, which is what
// pcapcheck uses without it: on a gzip capture, decompressing is most of the
// work. The Makefile installs libisal-dev and builds with the tag; go
// install without it gives a pcapcheck that reads gzip in Go.
//
// A Reader behaves as a gzip.Reader of klauspost/compress reading several
// members: the same data, and the same errors (gzip.ErrHeader,
// gzip.ErrChecksum, flate.CorruptInputError, io.ErrUnexpectedEOF), which a
// fuzz test holds it to. It is not safe for concurrent use.
package isal
