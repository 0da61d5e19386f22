package engine

import (
	"errors"
	"io"

	"github.com/pcapcheck/pcapcheck/internal/capture"
)

// AddSource registers a source whose packets the caller feeds to Add
// itself, as live capture does to redraw between packets. It returns the
// source index Add expects.
func (a *Analyzer) AddSource(info *capture.Info) int {
	a.sources = append(a.sources, sourceRun{info: info})
	return len(a.sources) - 1
}

// EndSource records how source i ended; nil or io.EOF is a clean end, any
// other error becomes a warning of the report.
func (a *Analyzer) EndSource(i int, err error) {
	if err != nil && !errors.Is(err, io.EOF) {
		a.sources[i].err = err
	}
}
