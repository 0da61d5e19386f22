package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// barInterval is how often the progress bar is redrawn.
const barInterval = 200 * time.Millisecond

// barWidth is the number of cells of the bar itself.
const barWidth = 30

// startBar draws a progress bar on w (a terminal) until the returned
// function is called, which erases it: bytes read of total, the rate, and
// the time left at that rate. read is called from the bar's goroutine.
func startBar(w io.Writer, total int64, read func() int64) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(barInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case now := <-tick.C:
				fmt.Fprint(w, "\r"+barLine(read(), total, now.Sub(start))+"\x1b[K")
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
}

// barLine renders one state of the bar:
// "[=========>          ]  512 MB / 1.5 GB  1.9 GB/s  ETA 0:01".
func barLine(done, total int64, elapsed time.Duration) string {
	done = min(max(done, 0), total)
	cells := 0
	if total > 0 {
		cells = int(done * barWidth / total)
	}
	bar := strings.Repeat("=", cells)
	if cells < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-cells-1)
	}
	line := fmt.Sprintf("[%s] %s / %s", bar, humanBytes(done), humanBytes(total))
	if secs := elapsed.Seconds(); secs > 0 && done > 0 {
		rate := float64(done) / secs
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		line += fmt.Sprintf("  %s/s  ETA %s", humanBytes(int64(rate)), clock(left))
	}
	return line
}

// humanBytes renders a size in decimal units, as dd and tshark do.
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// clock renders a duration as m:ss, or h:mm:ss past an hour.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
