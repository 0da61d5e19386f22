package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// TestTextOfRealCaptures runs the tcpdump installed here on real captures of
// tcpdump's regression suite whose text the reader once misread (issue 14:
// an IPv6 routing header made its UDP "not TCP or UDP"; tcpdump -e text of
// NFLOG was "not tcpdump output"), with the option sets users paste, and
// checks that the text gives the same TCP and UDP packets as the capture.
func TestTextOfRealCaptures(t *testing.T) {
	tcpdump := testenv.Tool(t, "tcpdump", "apt-get install -y tcpdump")
	if _, err := os.Stat(corpusDir); errors.Is(err, os.ErrNotExist) {
		testenv.Missing(t, "the capture corpus is absent (%s); see ../shared/corpus/README.md", corpusDir)
	}
	files := []struct {
		name string
		want int // TCP and UDP packets in the capture
	}{
		{"ipv6-routing-header.pcap", 2}, // type 0 routing headers before ICMPv6 and UDP
		{"ipv6-srh-ext-header.pcap", 0}, // a segment routing header before an encapsulated ICMPv6
		{"nflog.pcap", 4},               // NFLOG of DNS answers
	}
	for _, f := range files {
		path := filepath.Join(corpusDir, f.name)
		want := tuples(t, mustOpen(t, path))
		require.Len(t, want, f.want, "%s read from the capture", f.name)
		for _, args := range [][]string{{"-nn"}, {"-nn", "-v"}, {"-nn", "-e"}, {"-nn", "-e", "-v"}} {
			t.Run(f.name+" "+strings.Join(args, " "), func(t *testing.T) {
				cmd := exec.Command(tcpdump, append(args, "-r", path)...)
				cmd.Env = append(os.Environ(), "TZ=UTC")
				var out bytes.Buffer
				cmd.Stdout = &out
				require.NoError(t, cmd.Run())
				src, err := NewReader(f.name+".txt", bytes.NewReader(out.Bytes()), nil)
				require.NoError(t, err, "%s", out.String())
				assert.Equal(t, want, tuples(t, src), "%s", out.String())
			})
		}
	}
}

func mustOpen(t *testing.T, path string) Source {
	t.Helper()
	src, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { src.Close() })
	return src
}

// tuples lists the transport and addresses of every packet src yields.
func tuples(t *testing.T, src Source) []string {
	t.Helper()
	var out []string
	var p Packet
	for {
		err := src.Next(&p)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, fmt.Sprintf("%v %s > %s", p.Transport, p.Src, p.Dst))
	}
}
