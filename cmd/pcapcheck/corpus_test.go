package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// corpusDir holds tcpdump's regression captures (../shared/corpus/tcpdump
// from the repository's root; see ../shared/corpus/README.md). They are not
// part of the repository: tests that need them skip when it is absent.
const corpusDir = "../../../shared/corpus/tcpdump"

// Limits every run of the binary must stay within, whatever the file holds.
const (
	corpusTimeout = 10 * time.Second
	corpusMaxRSS  = 256 << 20 // bytes
)

// testBinary is the pcapcheck binary tests run as a subprocess, built once
// on first use into a directory TestMain removes.
var testBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testBinary.dir != "" {
		os.RemoveAll(testBinary.dir)
	}
	os.Exit(code)
}

// buildBinary builds ./cmd/pcapcheck once and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	testBinary.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			testBinary.err = fmt.Errorf("go tool not found: %w", err)
			return
		}
		testBinary.dir, testBinary.err = os.MkdirTemp("", "pcapcheck-test-bin-")
		if testBinary.err != nil {
			return
		}
		testBinary.path = filepath.Join(testBinary.dir, "pcapcheck")
		out, err := exec.Command(goTool, "build", "-o", testBinary.path, ".").CombinedOutput()
		if err != nil {
			testBinary.err = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if testBinary.err != nil {
		t.Fatal(testBinary.err)
	}
	return testBinary.path
}

// corpusRun is how one run of `pcapcheck analyze -o json FILE` ended.
type corpusRun struct {
	file   string
	code   int
	stdout []byte
	stderr string
	rss    int64 // peak resident set, bytes
	took   time.Duration
	report *schemaReport
	// problem is the error's kind for exit 2 (the message after the file
	// name, with numbers blanked).
	problem string
}

// TestCorpus runs the built binary on every capture of tcpdump's test suite:
// each run ends with exit 0 and a valid JSON report, or exit 2 and one line
// naming the file and the problem; none panics, runs over 10 s or takes more
// than 256 MB. It logs a summary of how the files ended.
func TestCorpus(t *testing.T) {
	testenv.Short(t, "runs the binary on every corpus capture")
	entries, err := os.ReadDir(corpusDir)
	if errors.Is(err, os.ErrNotExist) {
		testenv.Missing(t, "the capture corpus is absent (%s); see ../shared/corpus/README.md", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	var (
		mu   sync.Mutex
		runs []corpusRun
	)
	t.Run("file", func(t *testing.T) {
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || name == "LICENSE" || strings.HasPrefix(name, ".") {
				continue
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel() // as many at once as -parallel allows: GOMAXPROCS
				r := runCorpusFile(t, bin, name)
				checkCorpusRun(t, &r)
				mu.Lock()
				runs = append(runs, r)
				mu.Unlock()
			})
		}
	})
	logCorpusSummary(t, runs)
}

func runCorpusFile(t *testing.T, bin, name string) corpusRun {
	ctx, cancel := context.WithTimeout(context.Background(), corpusTimeout)
	defer cancel()
	// --quiet: without an inventory every run would end with the same hint.
	cmd := exec.CommandContext(ctx, bin, "analyze", "-o", "json", "--quiet", name)
	cmd.Dir = corpusDir
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := corpusRun{file: name, stdout: stdout.Bytes(), stderr: stderr.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("ran over %v", corpusTimeout)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run: %v", err)
	}
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rss = ru.Maxrss << 10 // Linux reports kilobytes
	}
	return r
}

// numbers blanks the numbers of an error message so that messages of one
// kind count together.
var numbers = regexp.MustCompile(`[0-9]+|0x[0-9a-f]+`)

func checkCorpusRun(t *testing.T, r *corpusRun) {
	t.Helper()
	if r.rss > corpusMaxRSS {
		t.Errorf("peak RSS %d MB, more than %d MB", r.rss>>20, corpusMaxRSS>>20)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("panic (exit %d):\n%s", r.code, r.stderr)
	}
	switch r.code {
	case exitOK:
		if r.stderr != "" {
			t.Errorf("exit 0 with stderr %q", r.stderr)
		}
		r.report = checkCorpusReport(t, r.file, r.stdout)
	case exitBadInput:
		line, rest, _ := strings.Cut(r.stderr, "\n")
		if rest != "" || !strings.HasPrefix(line, "pcapcheck: ") {
			t.Fatalf("exit 2 wants one line starting %q, got %q", "pcapcheck: ", r.stderr)
		}
		_, problem, ok := strings.Cut(line, r.file+": ")
		if !ok {
			t.Fatalf("the error does not name the file: %q", line)
		}
		if len(r.stdout) > 0 {
			t.Errorf("exit 2 with output %q", r.stdout)
		}
		r.problem = numbers.ReplaceAllString(problem, "N")
	default:
		t.Fatalf("exit %d, want 0 or 2; stderr: %s", r.code, r.stderr)
	}
}

// checkCorpusReport checks that an analyze report is valid JSON of the
// documented schema and that its counts add up.
func checkCorpusReport(t *testing.T, file string, out []byte) *schemaReport {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var rep schemaReport
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("invalid JSON report: %v\n%s", err, out)
	}
	if rep.Schema != report.SchemaAnalyze || len(rep.Captures) != 1 || rep.Captures[0].File != file {
		t.Fatalf("schema %q, captures %+v", rep.Schema, rep.Captures)
	}
	c := rep.Captures[0]
	sum := c.Decoded
	for _, n := range c.Skipped {
		sum += n
	}
	for _, n := range c.Problems {
		sum += n
	}
	if sum != c.Packets {
		t.Errorf("decoded %d + skipped %v + problems %v != %d packets", c.Decoded, c.Skipped, c.Problems, c.Packets)
	}
	warnings := strings.Join(rep.Warnings, "\n")
	if len(c.Problems) > 0 && len(rep.Warnings) == 0 {
		t.Errorf("problems %v but no warning", c.Problems)
	}
	if n := c.Problems["unsupported link type"]; n > 0 && !strings.Contains(warnings, "are not decoded") {
		t.Errorf("%d frames of an unsupported link type, not in the warnings: %q", n, warnings)
	}
	if !c.Complete && !strings.Contains(warnings, "at byte") {
		t.Errorf("incomplete capture without a warning naming the byte offset: %q", warnings)
	}
	var packets int64
	for _, f := range rep.Flows {
		packets += f.Packets
	}
	if packets > int64(c.Decoded) {
		t.Errorf("flows hold %d packets, more than the %d decoded", packets, c.Decoded)
	}
	return &rep
}

// logCorpusSummary logs how many files ended each way, the kinds of
// errors, problems and unsupported link types, and the slowest and largest
// runs.
func logCorpusSummary(t *testing.T, runs []corpusRun) {
	if len(runs) == 0 {
		return
	}
	exits := map[int]int{}
	errorKinds, problems, skipped, incomplete := map[string]int{}, map[string]int{}, map[string]int{}, 0
	for _, r := range runs {
		exits[r.code]++
		if r.problem != "" {
			errorKinds[r.problem]++
		}
		if r.report == nil {
			continue
		}
		for _, c := range r.report.Captures {
			for k := range c.Problems {
				if k == "unsupported link type" {
					k += " " + strings.Join(c.LinkTypes, ",")
				}
				problems[k]++
			}
			for k := range c.Skipped {
				skipped[k]++
			}
			if !c.Complete {
				incomplete++
			}
		}
	}
	slowest := slices.MaxFunc(runs, func(a, b corpusRun) int { return cmp.Compare(a.took, b.took) })
	largest := slices.MaxFunc(runs, func(a, b corpusRun) int { return cmp.Compare(a.rss, b.rss) })
	t.Logf("corpus: %d files: exit 0: %d, exit 2: %d; %d read only in part", len(runs), exits[exitOK], exits[exitBadInput], incomplete)
	t.Logf("corpus: slowest %s (%v), largest %s (%d MB peak RSS)", slowest.file, slowest.took.Round(time.Millisecond), largest.file, largest.rss>>20)
	t.Logf("corpus: exit 2 errors (files): %s", topCounts(errorKinds, 10))
	t.Logf("corpus: problems (files): %s", topCounts(problems, 12))
	t.Logf("corpus: skipped (files): %s", topCounts(skipped, 10))
}

// topCounts renders the n largest counts, largest first.
func topCounts(m map[string]int, n int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	if len(keys) > n {
		parts = append(parts, fmt.Sprintf("and %d more kinds", len(keys)-n))
	}
	return strings.Join(parts, "; ")
}
