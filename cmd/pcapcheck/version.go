package main

import (
	"runtime/debug"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// version is set at build time with -ldflags "-X main.version=..."; when it
// is not, the build's own record says it (see buildVersion).
var version = ""

// buildVersion is what --version prints: the version given at link time,
// else the module's version (go install ...@v1.2.3), else the VCS revision
// the binary was built from (go build in a clone: "devel a1b2c3d4e5f6,
// modified" when the tree had changes), else "devel"; then how gzip is read.
func buildVersion(info *debug.BuildInfo, ok bool) string {
	v := version
	if v == "" && ok {
		if m := info.Main.Version; m != "" && m != "(devel)" {
			v = m
		} else {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" {
				v = "devel " + rev[:min(12, len(rev))]
				if modified == "true" {
					v += ", modified"
				}
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	return strings.TrimSpace(v) + " (gzip read with " + capture.Inflater + ")"
}
