package testenv

import (
	"fmt"
	"testing"
)

// fakeTB records how a helper ended a test, without ending this one.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = true
	f.msg = fmt.Sprintf(format, args...)
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
}

func TestMissing(t *testing.T) {
	tests := []struct {
		name        string
		env         string
		wantSkip    bool
		wantFail    bool
		wantMessage string
	}{
		{"unset skips", "", true, false, "tshark is not installed: apt-get install -y tshark"},
		{"0 skips", "0", true, false, "tshark is not installed: apt-get install -y tshark"},
		{"1 fails with the same message", "1", false, true, "missing, and PCAPCHECK_REQUIRE_TOOLS=1: tshark is not installed: apt-get install -y tshark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(RequireVar, tt.env)
			t.Setenv("PATH", t.TempDir())
			f := &fakeTB{}
			Tool(f, "tshark", "apt-get install -y tshark")
			if f.skipped != tt.wantSkip || f.failed != tt.wantFail || f.msg != tt.wantMessage {
				t.Errorf("got skipped=%v failed=%v %q, want skipped=%v failed=%v %q",
					f.skipped, f.failed, f.msg, tt.wantSkip, tt.wantFail, tt.wantMessage)
			}
		})
	}
}
