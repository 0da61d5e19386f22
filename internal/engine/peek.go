package engine

import "github.com/pcapcheck/pcapcheck/internal/inventory"

// Peek is the Result of what was read so far, flows included, without
// ending the reading: `pcapcheck agent` writes its periodic reports with
// it. Unlike a Result from Result, it shares the Analyzer's flow table:
// it is valid only until reading resumes, so it must be read to the end
// (rendered) in the goroutine that runs the Analyzer, from Tick or a live
// source's Idle, and then dropped.
func (a *Analyzer) Peek(annotators ...Annotator) *Result {
	return newResult(a.flowData, annotators)
}

// SetInventory replaces the inventory the next Result, Peek or Snapshot
// judges with (verdicts are made when a result is, not as packets are
// read), so that a long-running capture follows the pods that come and
// go. idx is inv's index, or nil to build it. Call it between reads, as
// Peek.
func (a *Analyzer) SetInventory(inv *inventory.Inventory, idx *inventory.Index) {
	if idx == nil && !inv.Empty() {
		idx = inv.Index()
	}
	a.inv, a.idx = inv, idx
}
