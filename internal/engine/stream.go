package engine

import (
	"errors"

	"github.com/pcapcheck/pcapcheck/internal/inventory"
)

// A report from Analyzer.Stream makes its flows as they are visited. It
// holds the flow table and one connRef (24 bytes) a connection, where a
// collected report holds every Flow with its strings: about 1.5 KB a flow.
// The JSON renderer writes a streamed report flow by flow; everything else
// collects it first.

// ErrStreamed is returned by EachFlow when the flows of a streamed report
// have already been visited: they are made once.
var ErrStreamed = errors.New("analyze: the flows of a streamed report can be visited only once")

// flowStream makes the flows of a streamed report.
type flowStream struct {
	a          *Analyzer
	o          *orienter
	cls        *classifier
	names      []string // interface names by id
	refs       []connRef
	podNames   map[*inventory.Pod]string
	annotators []Annotator
	visited    bool
}

// Annotator adds to every flow of a report as it is made; package mesh
// predicts expected paths with one.
type Annotator interface {
	// Observe sees every flow once before any is annotated.
	Observe(f *Flow)
	// Annotate may set the flow's Expected and ExpectedWhy; the summary
	// rows gather them.
	Annotate(f *Flow)
	// Finish completes the report once every flow is annotated and the
	// summary and warnings are made; it may add warnings.
	Finish(r *Report)
}

// Streaming reports whether the report's flows are still to be made.
func (r *Report) Streaming() bool { return r.stream != nil }

// EachFlow calls fn with every flow in order, stopping at fn's first
// error. The flows of a streamed report are made as they are visited, once:
// a second call returns ErrStreamed. Summary and Warnings are complete when
// it returns nil. fn must not keep the *Flow of a streamed report.
func (r *Report) EachFlow(fn func(*Flow) error) error {
	if r.stream == nil {
		for i := range r.Flows {
			if err := fn(&r.Flows[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return r.stream.each(r, fn)
}

// Collect makes every flow of a streamed report into Flows; the report is
// then an ordinary one. It does nothing to a collected report.
func (r *Report) Collect() {
	if r.stream == nil || r.stream.visited {
		return
	}
	r.Flows = make([]Flow, 0, len(r.stream.refs))
	_ = r.stream.each(r, func(f *Flow) error {
		r.Flows = append(r.Flows, *f)
		return nil
	})
	r.stream = nil
}

// Annotate runs an: over the flows now for a collected report, as they are
// made for a streamed one.
func (r *Report) Annotate(an Annotator) {
	if r.stream != nil {
		r.stream.annotators = append(r.stream.annotators, an)
		return
	}
	for i := range r.Flows {
		an.Observe(&r.Flows[i])
	}
	var sum summarizer
	for i := range r.Flows {
		an.Annotate(&r.Flows[i])
		sum.add(&r.Flows[i])
	}
	r.Summary = sum.rows()
	an.Finish(r)
}

// each makes the flows in one goroutine and hands them to fn in the
// caller's, a batch at a time, so that a renderer writes one batch while the
// next is judged: on two cores, a report takes about as long as the slower
// of the two. Annotators and the summary run with the making.
func (s *flowStream) each(r *Report, fn func(*Flow) error) error {
	if s.visited {
		return ErrStreamed
	}
	s.visited = true
	// Once visited, the stream lets go of the flow table.
	defer func() { s.a, s.cls, s.refs, s.podNames = nil, nil, nil, nil }()
	if len(s.annotators) > 0 {
		for i := range s.refs {
			f := s.flow(i)
			for _, an := range s.annotators {
				an.Observe(&f)
			}
		}
	}
	var (
		sum       summarizer
		ambiguous int
		batches   = make(chan []Flow, 1)
		free      = make(chan []Flow, 2)
		stop      = make(chan struct{})
	)
	go func() {
		defer close(batches)
		batch := make([]Flow, 0, flowBatch)
		for i := range s.refs {
			f := s.flow(i)
			for _, an := range s.annotators {
				an.Annotate(&f)
			}
			sum.add(&f)
			if isAmbiguous(f.Evidence) {
				ambiguous++
			}
			batch = append(batch, f)
			if len(batch) < flowBatch && i < len(s.refs)-1 {
				continue
			}
			select {
			case batches <- batch:
			case <-stop:
				return
			}
			select {
			case batch = <-free:
			default:
				batch = make([]Flow, 0, flowBatch)
			}
		}
	}()
	var err error
	for batch := range batches {
		for i := 0; i < len(batch) && err == nil; i++ {
			if err = fn(&batch[i]); err != nil {
				close(stop)
			}
		}
		clear(batch)
		select {
		case free <- batch[:0]:
		default:
		}
	}
	// The maker has returned: batches is closed.
	if err != nil {
		return err
	}
	r.Summary = sum.rows()
	r.Warnings = s.a.warnings(len(s.refs), ambiguous)
	for _, an := range s.annotators {
		an.Finish(r)
	}
	return nil
}

// flowBatch is how many flows each hands over at a time.
const flowBatch = 256
