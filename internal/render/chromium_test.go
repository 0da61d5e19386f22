package render

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/report"
	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// The HTML report is checked in a real browser: headless Chromium, driven
// over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
// messages, each ended by a NUL byte, on file descriptors 3 and 4). The
// client is the few lines below rather than a dependency: the test needs
// five commands and four events.

// chromiumFlags are the flags of every run: no sandbox (root in a
// container), no GPU, and nothing that would reach the network.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
	"--disable-sync", "--no-first-run", "--disable-quic", "--no-default-browser-check", "--mute-audio",
	"--remote-debugging-pipe", "--window-size=1920,1200",
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *cdpError) Error() string { return fmt.Sprintf("cdp: %s (%d)", e.Message, e.Code) }

// browser is one headless Chromium.
type browser struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	stderr bytes.Buffer

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  []cdpMessage
	notify  chan struct{}
	readErr error
}

// startChromium starts headless Chromium with a fresh profile, or skips
// the test when it is not installed.
func startChromium(t *testing.T) *browser {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		testenv.Missing(t, "chromium is not installed: `make deps-html` (apt-get install -y chromium) installs it; skipping the browser checks of the HTML report")
	}
	cmdR, cmdW, err := os.Pipe()
	require.NoError(t, err)
	outR, outW, err := os.Pipe()
	require.NoError(t, err)
	b := &browser{in: cmdW, pending: map[int]chan cdpMessage{}, notify: make(chan struct{}, 1)}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir(), "about:blank")
	b.cmd = exec.Command(path, args...)
	b.cmd.ExtraFiles = []*os.File{cmdR, outW} // fd 3: commands in, fd 4: replies and events out
	b.cmd.Stderr = &b.stderr
	require.NoError(t, b.cmd.Start())
	cmdR.Close()
	outW.Close()
	go b.read(outR)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.call(ctx, "", "Browser.close", nil, nil)
		done := make(chan struct{})
		go func() { b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
		cmdW.Close()
	})
	return b
}

func (b *browser) read(r io.ReadCloser) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			select {
			case b.notify <- struct{}{}:
			default:
			}
		}
		b.mu.Unlock()
	}
}

// call sends a command (to a page when session is set) and decodes its
// result into result.
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("chromium is gone: %w", b.readErr)
	}
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.in.Write(append(raw, 0)); err != nil {
		return err
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return errors.New("chromium closed the pipe")
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %w", method, m.Error)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// page is one tab, with what it reported since it was opened.
type page struct {
	b       *browser
	session string
	from    int // index of the page's first event
}

func (b *browser) newPage(ctx context.Context, t *testing.T) *page {
	t.Helper()
	var target struct{ TargetID string }
	require.NoError(t, b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target))
	var attached struct{ SessionID string }
	require.NoError(t, b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached))
	p := &page{b: b, session: attached.SessionID}
	b.mu.Lock()
	p.from = len(b.events)
	b.mu.Unlock()
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		require.NoError(t, b.call(ctx, p.session, domain+".enable", nil, nil))
	}
	require.NoError(t, b.call(ctx, p.session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": 1920, "height": 1200, "deviceScaleFactor": 1, "mobile": false}, nil))
	return p
}

// resize sets the page's window to width × height CSS pixels, as a phone
// when mobile is set.
func (p *page) resize(ctx context.Context, t *testing.T, width, height int, mobile bool) {
	t.Helper()
	require.NoError(t, p.b.call(ctx, p.session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, nil))
}

// pageEvents lists the events of this page so far.
func (p *page) pageEvents() []cdpMessage {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	var out []cdpMessage
	for _, m := range p.b.events[p.from:] {
		if m.SessionID == p.session {
			out = append(out, m)
		}
	}
	return out
}

// open loads a file and waits for its load event.
func (p *page) open(ctx context.Context, t *testing.T, file string) string {
	t.Helper()
	abs, err := filepath.Abs(file)
	require.NoError(t, err)
	url := "file://" + abs
	require.NoError(t, p.b.call(ctx, p.session, "Page.navigate", map[string]any{"url": url}, nil))
	for {
		for _, m := range p.pageEvents() {
			if m.Method == "Page.loadEventFired" {
				return url
			}
			if m.Method == "Page.javascriptDialogOpening" {
				// A dialog would block the page; dismiss it, problems() reports it.
				p.b.call(ctx, p.session, "Page.handleJavaScriptDialog", map[string]any{"accept": true}, nil)
			}
		}
		select {
		case <-p.b.notify:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("loading %s: %v; chromium's stderr:\n%s", file, ctx.Err(), p.b.stderr.String())
		}
	}
}

// problems lists what a clean page never causes: console errors, uncaught
// exceptions, error log entries (a Content-Security-Policy violation is
// one), dialogs (alert), and requests for anything but the page itself.
func (p *page) problems(url string) []string {
	var out []string
	for _, m := range p.pageEvents() {
		var params struct {
			Type, URL        string
			Request          struct{ URL string }
			Entry            struct{ Level, Text, URL string }
			ExceptionDetails struct{ Text string }
			Args             []struct{ Value any }
			Message          string
		}
		json.Unmarshal(m.Params, &params)
		switch m.Method {
		case "Runtime.consoleAPICalled":
			if params.Type == "error" || params.Type == "assert" || params.Type == "warning" {
				out = append(out, fmt.Sprintf("console %s: %v", params.Type, params.Args))
			}
		case "Runtime.exceptionThrown":
			out = append(out, "uncaught: "+params.ExceptionDetails.Text)
		case "Log.entryAdded":
			if params.Entry.Level == "error" || params.Entry.Level == "warning" {
				out = append(out, fmt.Sprintf("log %s: %s %s", params.Entry.Level, params.Entry.Text, params.Entry.URL))
			}
		case "Page.javascriptDialogOpening":
			out = append(out, fmt.Sprintf("dialog %s: %s", params.Type, params.Message))
		case "Network.requestWillBeSent":
			if params.Request.URL != url {
				out = append(out, "request: "+params.Request.URL)
			}
		}
	}
	return out
}

// eval runs a JavaScript expression whose value is JSON-encodable and
// decodes it into v.
func (p *page) eval(ctx context.Context, t *testing.T, expr string, v any) {
	t.Helper()
	var res struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct{ Text string }
	}
	require.NoError(t, p.b.call(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res))
	require.Nil(t, res.ExceptionDetails, "evaluating %s", expr)
	require.NoError(t, json.Unmarshal(res.Result.Value, v))
}

func (p *page) screenshot(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	var shot struct{ Data string }
	require.NoError(t, p.b.call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot))
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
}

// artifactDir is where the browser test leaves its screenshots and pages
// for a person to look at: bin/ (ignored by git), or $PCAPCHECK_ARTIFACTS.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PCAPCHECK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "html-test")
	}
	dir, err := filepath.Abs(dir)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// seedComparison is the seed's scenario as `make demo` shows it in HTML:
// before on my-shell's veth, after with tcpdump -i any on the node, where
// the pods kube-proxy chose are visible. It is read from the JSON golden
// that cmd/pcapcheck's TestGolden pins (compare before/veth.pcap
// after/any.pcap), so that this package's tests do not depend on the
// capture readers.
func seedComparison(t *testing.T) *report.Comparison {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "bookinfo", "golden", "compare-any.json"))
	require.NoError(t, err)
	var c report.Comparison
	require.NoError(t, json.Unmarshal(raw, &c))
	require.NotNil(t, c.Before)
	require.NotNil(t, c.After)
	return &c
}

// domFacts is what the page's DOM says, measured by the browser itself.
type domFacts struct {
	Title     string
	Nodes     []struct{ Kind, Node, Side string }
	Forbidden int      // script, img, iframe, object, embed, link elements or on* attributes
	Overlaps  []string // pairs of boxes that intersect
	Overflows []string // node texts wider than their box
	Text      string   // the text of the diagrams' tooltips and labels
}

// domProbe measures the page: the real font decides the text widths, so
// this checks the layout's estimates too.
const domProbe = `(() => {
  const r = {Title: document.title, Nodes: [], Forbidden: 0, Overlaps: [], Overflows: [], Text: ""};
  r.Forbidden = document.querySelectorAll("script,img,iframe,object,embed,link,base,form").length;
  for (const el of document.querySelectorAll("*"))
    for (const a of el.getAttributeNames()) if (a.startsWith("on") || a === "src" || a === "href") r.Forbidden++;
  for (const g of document.querySelectorAll("svg.paths .node")) {
    const fig = g.closest("figure");
    r.Nodes.push({Kind: g.dataset.kind, Node: g.dataset.node, Side: fig ? (fig.dataset.side || "") : ""});
  }
  const inter = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const svg of document.querySelectorAll("svg.paths")) {
    const boxes = [];
    for (const g of svg.querySelectorAll(".node")) {
      const rect = g.querySelector("rect");
      boxes.push(["node " + g.dataset.node, rect.getBoundingClientRect()]);
      for (const t of g.querySelectorAll("text"))
        if (t.getComputedTextLength() > rect.width.baseVal.value - 2 * 10 + 1)
          r.Overflows.push(t.textContent + " (" + t.getComputedTextLength().toFixed(1) + "px in a " + rect.width.baseVal.value + "px box)");
    }
    for (const t of svg.querySelectorAll(".label, .caption")) boxes.push([t.getAttribute("class") + " " + t.textContent, t.getBoundingClientRect()]);
    boxes.sort((a, b) => a[1].top - b[1].top);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length && boxes[j][1].top < boxes[i][1].bottom; j++)
        if (inter(boxes[i][1], boxes[j][1])) r.Overlaps.push(boxes[i][0] + " / " + boxes[j][0]);
  }
  r.Text = Array.from(document.querySelectorAll("svg.paths title, svg.paths text, td, li")).map(e => e.textContent).join("\n");
  return r;
})()`

// afterDiagramProbe measures the After diagram of a comparison: where its
// kube-proxy and pod boxes are, against its scroll box and the window.
const afterDiagramProbe = `(() => {
  const fig = document.querySelector('figure[data-side="after"]');
  const box = fig.querySelector(".scroll"), svg = fig.querySelector("svg.paths");
  const lr = el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  return {
    Inner: window.innerWidth, Box: lr(box),
    KubeProxy: lr(fig.querySelector('.node[data-kind="kube-proxy"] rect')),
    Pods: Array.from(fig.querySelectorAll('.node[data-kind="pod"] rect')).map(lr),
    ScrollW: box.scrollWidth, ClientW: box.clientWidth,
    Drawn: svg.getBoundingClientRect().width, Natural: svg.width.baseVal.value,
  };
})()`

// brokenWordsProbe lists the table cells' texts that the browser broke
// across lines: a text node (a name, an address) whose range has more
// than one box. The evidence rows are prose, which wraps.
const brokenWordsProbe = `(() => {
  const out = [];
  for (const td of document.querySelectorAll("table tr:not(.evidence) td")) {
    const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.textContent.trim()) continue;
      const r = document.createRange(); r.selectNodeContents(n);
      const lines = new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top)));
      if (lines.size > 1) out.push(n.textContent);
    }
  }
  return out;
})()`

// TestHTMLInChromium opens HTML reports in headless Chromium: the seed's
// comparison, whose diagrams must show my-shell, the three reviews pods and
// the ClusterIP, and a report of hostile strings, which must stay text.
// The screenshots stay in bin/html-test for a person to look at.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	started := time.Now()
	artifacts := artifactDir(t)
	seed := seedComparison(t)
	b := startChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	write := func(name string, render func(Renderer, io.Writer) error) string {
		rd, err := New(HTML)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, render(rd, &buf))
		path := filepath.Join(artifacts, name)
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		return path
	}

	t.Run("the detector sees console errors", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.html")
		require.NoError(t, os.WriteFile(bad, []byte(`<!DOCTYPE html><title>bad</title><script>console.error("boom"); undefinedFn();</script>`), 0o644))
		p := b.newPage(ctx, t)
		url := p.open(ctx, t, bad)
		probs := p.problems(url)
		assert.Len(t, probs, 2, "a console.error and an uncaught ReferenceError: %v", probs)
	})

	t.Run("seed comparison", func(t *testing.T) {
		file := write("seed-compare.html", func(rd Renderer, w io.Writer) error { return rd.Comparison(w, seed, nil, nil) })
		p := b.newPage(ctx, t)
		url := p.open(ctx, t, file)
		shot := filepath.Join(artifacts, "seed-compare.png")
		p.screenshot(ctx, t, shot)
		t.Logf("screenshot: %s (page: %s)", shot, file)
		var dom domFacts
		p.eval(ctx, t, domProbe, &dom)
		assert.Empty(t, p.problems(url), "console errors, exceptions or requests")
		assert.Equal(t, "pcapcheck compare", dom.Title)
		assert.Zero(t, dom.Forbidden)
		assert.Empty(t, dom.Overlaps)
		assert.Empty(t, dom.Overflows)
		has := func(kind, node, side string) bool {
			for _, n := range dom.Nodes {
				if n.Kind == kind && n.Node == node && n.Side == side {
					return true
				}
			}
			return false
		}
		for _, side := range []string{"before", "after"} {
			assert.True(t, has("pod", "default/my-shell", side), "my-shell, %s", side)
			assert.True(t, has("sidecar", "default/my-shell", side), "my-shell's sidecar, %s", side)
			for _, pod := range []string{"bookinfo/reviews-v1-5c4d6d447c-qwmbv", "bookinfo/reviews-v2-65cb66b45c-dtwjd", "bookinfo/reviews-v3-f68f94645-bmzrn"} {
				assert.True(t, has("pod", pod, side), "%s, %s", pod, side)
			}
		}
		assert.True(t, has("clusterip", "10.96.209.151", "after"), "the ClusterIP after the Sidecar object")
		assert.True(t, has("kube-proxy", "kube-proxy", "after"))
		assert.False(t, has("clusterip", "10.96.209.151", "before"), "no ClusterIP before: the sidecar picked the pods")
		assert.Contains(t, dom.Text, "the sidecar no longer knows bookinfo/reviews; traffic leaves the mesh and kube-proxy picks the pod")
	})

	t.Run("seed comparison at 1400 px", func(t *testing.T) {
		file := write("seed-compare.html", func(rd Renderer, w io.Writer) error { return rd.Comparison(w, seed, nil, nil) })
		p := b.newPage(ctx, t)
		p.resize(ctx, t, 1400, 900, false)
		p.open(ctx, t, file)
		p.screenshot(ctx, t, filepath.Join(artifacts, "seed-compare-1400.png"))
		var view struct {
			Inner            float64
			Box, KubeProxy   [2]float64
			Pods             [][2]float64
			ScrollW, ClientW float64
			Drawn, Natural   float64
		}
		p.eval(ctx, t, afterDiagramProbe, &view)
		require.Len(t, view.Pods, 4, "my-shell and the three reviews pods")
		for name, r := range map[string][2]float64{"kube-proxy": view.KubeProxy, "pod 1": view.Pods[0], "pod 2": view.Pods[1], "pod 3": view.Pods[2], "pod 4": view.Pods[3]} {
			assert.GreaterOrEqual(t, r[0], view.Box[0], "%s starts inside the After diagram", name)
			assert.LessOrEqual(t, r[1], min(view.Box[1], view.Inner), "%s ends inside the After diagram and the window (%v)", name, view)
		}
		assert.LessOrEqual(t, view.ScrollW, view.ClientW, "no horizontal scrollbar on the After diagram")
		assert.GreaterOrEqual(t, view.Drawn/view.Natural, 0.6, "scaled down, not to illegibility")
	})

	t.Run("tables on a phone", func(t *testing.T) {
		file := write("seed-compare.html", func(rd Renderer, w io.Writer) error { return rd.Comparison(w, seed, nil, nil) })
		p := b.newPage(ctx, t)
		p.resize(ctx, t, 390, 844, true)
		p.open(ctx, t, file)
		p.screenshot(ctx, t, filepath.Join(artifacts, "seed-compare-phone.png"))
		var broken []string
		p.eval(ctx, t, brokenWordsProbe, &broken)
		assert.Empty(t, broken, "names and addresses broken across lines (at their hyphens)")
		var stacked bool
		p.eval(ctx, t, `(() => { const f = document.querySelectorAll(".sides > figure"); return f.length === 2 && f[1].getBoundingClientRect().top >= f[0].getBoundingClientRect().bottom; })()`, &stacked)
		assert.True(t, stacked, "before above after on a phone")
	})

	t.Run("hostile strings stay text", func(t *testing.T) {
		r := hostileMesh()
		file := write("hostile.html", func(rd Renderer, w io.Writer) error {
			return rd.Comparison(w, report.Compare(&report.Report{Schema: report.SchemaAnalyze}, r), nil, nil)
		})
		p := b.newPage(ctx, t)
		url := p.open(ctx, t, file)
		p.screenshot(ctx, t, filepath.Join(artifacts, "hostile.png"))
		var dom domFacts
		p.eval(ctx, t, domProbe, &dom)
		assert.Empty(t, p.problems(url), "no alert, no script, no request")
		assert.Zero(t, dom.Forbidden, "no element or attribute came from the data")
		assert.Empty(t, dom.Overlaps)
		assert.Empty(t, dom.Overflows)
		for _, s := range []string{scriptTag, imgOnerr, titleEnd, `\x1b]0;pwned\x07\x1b[2J`} {
			assert.Contains(t, dom.Text, s, "shown as text")
		}
	})

	t.Run("200 destinations", func(t *testing.T) {
		file := write("large.html", func(rd Renderer, w io.Writer) error {
			return rd.Comparison(w, report.Compare(generated(200, 13, 80), generated(150, 3, 40)), nil, nil)
		})
		p := b.newPage(ctx, t)
		url := p.open(ctx, t, file)
		var ok bool
		p.eval(ctx, t, `(document.querySelector("figure").scrollIntoView(), true)`, &ok)
		p.screenshot(ctx, t, filepath.Join(artifacts, "large.png"))
		var dom domFacts
		p.eval(ctx, t, strings.Replace(domProbe, `r.Text = `, `r.Text = "" && `, 1), &dom)
		assert.Empty(t, p.problems(url))
		assert.Empty(t, dom.Overflows, "every name fits its box or is cut short")
		assert.Empty(t, dom.Overlaps)
	})
	t.Logf("browser checks took %s", time.Since(started).Round(time.Millisecond))
}
