package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMaxFlowsFlag: --max-flows folds flows past it, says so in the
// warnings, and rejects a limit below 1.
func TestMaxFlowsFlag(t *testing.T) {
	code, stdout, stderr := runIn(t, bookinfo, "", "analyze", "before/veth.pcap", "-o", "json", "--max-flows", "2")
	require.Equal(t, 0, code, stderr)
	var r schemaReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &r))
	var warned bool
	for _, w := range r.Warnings {
		warned = warned || strings.Contains(w, "more than 2 flows (--max-flows)")
	}
	assert.True(t, warned, "warnings: %q", r.Warnings)

	for _, bad := range []string{"0", "-1"} {
		code, _, stderr = runIn(t, bookinfo, "", "analyze", "before/veth.pcap", "--max-flows", bad)
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "--max-flows must be at least 1")
	}
	code, _, stderr = runIn(t, bookinfo, "", "compare", "before/veth.pcap", "after/veth.pcap", "--max-flows", "0")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--max-flows must be at least 1")
}

// TestNoProgressOffTerminal: stderr that is not a terminal gets no
// progress bar, with or without --quiet.
func TestNoProgressOffTerminal(t *testing.T) {
	for _, args := range [][]string{{}, {"--quiet"}} {
		code, _, stderr := runIn(t, bookinfo, "", append([]string{"analyze", "before/veth.pcap"}, args...)...)
		require.Equal(t, 0, code)
		assert.Empty(t, withoutHints(stderr))
	}
	var buf bytes.Buffer
	r := &readFlags{maxFlows: 1, stderr: func() io.Writer { return &buf }}
	r.startProgress([]string{"-"}, nil)()
	assert.Empty(t, buf.String())
}

// TestBar: the bar shows bytes, rate and time left, redraws in place, and
// erases itself when stopped.
func TestBar(t *testing.T) {
	line := barLine(500e6, 1500e6, time.Second)
	assert.Equal(t, "[==========>                   ] 500 MB / 1.5 GB  500 MB/s  ETA 0:02", line)
	assert.Equal(t, "[==============================] 1.5 GB / 1.5 GB  1.5 GB/s  ETA 0:00", barLine(1500e6, 1500e6, time.Second))
	assert.Equal(t, "[>                             ] 0 B / 1.5 GB", barLine(0, 1500e6, 0))
	assert.Equal(t, "1:01:01", clock(3661*time.Second))

	var out syncBuffer
	var read atomic.Int64
	read.Store(200 << 20)
	stop := startBar(&out, 400<<20, read.Load)
	time.Sleep(3 * barInterval)
	stop()
	stop()
	s := out.String()
	assert.True(t, strings.HasPrefix(s, "\r["), "%q", s)
	assert.Contains(t, s, "210 MB / 419 MB")
	assert.True(t, strings.HasSuffix(s, "\r\x1b[K"), "%q", s)
	assert.NotContains(t, s, "\n")
}

// syncBuffer is a bytes.Buffer safe for the bar's goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
