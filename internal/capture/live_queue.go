package capture

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// A live source reads the interface in a goroutine of its own that does
// nothing but copy frames out of libpcap's buffer into a batch, so that the
// kernel's buffer is emptied as fast as frames arrive whatever the analyzer
// is doing. Decoding, writing --write's file and counting happen in the
// caller of Next or NextBatch (the analyzer's goroutine), a batch at a time.
//
// The batches circulate between two channels and are reused: the capture
// goroutine allocates nothing per frame. When every batch is with the
// analyzer, the capture goroutine waits for one rather than drop what it
// read (LiveStats.Waits counts the waits); the kernel's buffer fills
// meanwhile and what overflows it the kernel counts as dropped.

// liveBatchLen is the most frames a live batch holds.
const liveBatchLen = 1024

// liveArena is the bytes of frames a live batch holds; a frame larger than
// that (a snaplen above it) gets an arena of its own size once.
const liveArena = 1 << 20

// liveBatches is how many batches circulate: 8 MiB of frames behind the
// kernel's buffer.
const liveBatches = 8

// statsEvery is how often the capture goroutine asks libpcap for its counts.
const statsEvery = pollInterval

// errReadTimeout is what a liveReader returns when no frame arrived within
// pollInterval.
var errReadTimeout = errors.New("capture: no frame within the poll interval")

// liveReader is what the capture goroutine reads frames from: libpcap's
// handle (live_pcap.go), or a fake in tests.
type liveReader interface {
	// read returns the next frame, its timestamp (Unix nanoseconds) and its
	// length on the wire; the frame is valid until the next call. It
	// returns errReadTimeout when none came within pollInterval.
	read() (data []byte, ts int64, wireLen int, err error)
	// stats returns the kernel's counts since the capture began.
	stats() (LiveStats, error)
	// close releases the reader; read is not called after it.
	close()
}

// liveFrame is one frame of a live batch: where its bytes are in the arena.
type liveFrame struct {
	ts          int64
	off, capLen int
	wireLen     int
}

// liveBatch is a run of frames in arrival order, the packets the consumer
// decoded from them, and the counts as they stood when it was handed over.
type liveBatch struct {
	frames []liveFrame
	arena  []byte
	pkts   []Packet
	stats  LiveStats
	// err, on the last batch, is what ended the capture: io.EOF after Stop,
	// or a *FileError.
	err error
}

// liveSource is a LiveSource over a liveReader.
type liveSource struct {
	r    liveReader
	info *Info
	link LinkType
	opts LiveOptions
	// stats is what Info.Live points to: the counts of the last batch Next
	// or NextBatch took.
	stats LiveStats

	full, free chan *liveBatch
	stopped    atomic.Bool
	quit       chan struct{}
	loopDone   chan struct{}
	started    bool
	closeOnce  sync.Once

	// Consumer state: the batch being read, what is left of it for Next,
	// and what ended the source.
	cur  *liveBatch
	left []Packet
	done error
}

func newLiveSource(r liveReader, info *Info, link LinkType, opts LiveOptions) *liveSource {
	s := &liveSource{r: r, info: info, link: link, opts: opts, quit: make(chan struct{}), loopDone: make(chan struct{})}
	info.Live = &s.stats
	return s
}

func (s *liveSource) Info() *Info { return s.info }

// Stop makes the capture end within pollInterval; the frames read until
// then are still returned.
func (s *liveSource) Stop() { s.stopped.Store(true) }

// Close stops the capture goroutine, releases the reader and flushes the
// --write file.
func (s *liveSource) Close() error {
	s.closeOnce.Do(func() {
		s.stopped.Store(true)
		close(s.quit)
		if s.started {
			<-s.loopDone
		}
		s.r.close()
	})
	if s.opts.Write != nil {
		return s.opts.Write.Flush()
	}
	return nil
}

// start launches the capture goroutine with every batch free.
func (s *liveSource) start() {
	s.started = true
	s.full = make(chan *liveBatch, liveBatches)
	s.free = make(chan *liveBatch, liveBatches)
	arena := max(liveArena, s.snaplen())
	for range liveBatches {
		s.free <- &liveBatch{
			frames: make([]liveFrame, 0, liveBatchLen),
			arena:  make([]byte, 0, arena),
			pkts:   make([]Packet, 0, liveBatchLen),
		}
	}
	go s.captureLoop()
}

func (s *liveSource) snaplen() int {
	if s.opts.Snaplen > 0 {
		return s.opts.Snaplen
	}
	return pcapMaxSnaplen
}

// captureLoop copies frames into batches until Stop, Close or a read error.
// It alone calls the reader's read and stats.
func (s *liveSource) captureLoop() {
	defer close(s.loopDone)
	var (
		stats     LiveStats
		lastStats time.Time
		begun     time.Time
	)
	// hand gives b to the consumer with the counts as they stand, asking
	// libpcap for them at most every statsEvery (or when final), and
	// returns a free batch, or nil once the source is closed.
	hand := func(b *liveBatch, final error) *liveBatch {
		if now := time.Now(); final != nil || now.Sub(lastStats) >= statsEvery {
			if k, err := s.r.stats(); err == nil {
				k.Waits = stats.Waits
				stats = k
			}
			lastStats = now
		}
		b.stats, b.err = stats, final
		// There are as many places in full as batches: this never waits.
		s.full <- b
		if final != nil {
			return nil
		}
		select {
		case b = <-s.free:
		default:
			stats.Waits++
			select {
			case b = <-s.free:
			case <-s.quit:
				return nil
			}
		}
		begun = time.Now()
		return b
	}
	var b *liveBatch
	select {
	case b = <-s.free:
	case <-s.quit:
		return
	}
	begun = time.Now()
	for {
		if s.stopped.Load() {
			hand(b, io.EOF)
			return
		}
		data, ts, wire, err := s.r.read()
		switch {
		case errors.Is(err, errReadTimeout):
			// Nothing came: hand over what there is, if only so that the
			// consumer can redraw its display.
			if b = hand(b, nil); b == nil {
				return
			}
			continue
		case err != nil:
			hand(b, &FileError{Path: s.info.Name, Offset: -1, Err: err})
			return
		}
		if len(b.frames) == cap(b.frames) || len(b.arena)+len(data) > cap(b.arena) {
			if b = hand(b, nil); b == nil {
				return
			}
			if len(data) > cap(b.arena) {
				// Only a snaplen above liveArena gets here, once a batch.
				b.arena = make([]byte, 0, len(data))
			}
		}
		off := len(b.arena)
		b.arena = append(b.arena, data...)
		b.frames = append(b.frames, liveFrame{ts: ts, off: off, capLen: len(data), wireLen: wire})
		if time.Since(begun) >= pollInterval {
			// Frames trickle in: do not keep them from the display longer.
			if b = hand(b, nil); b == nil {
				return
			}
		}
	}
}

// NextBatch returns the TCP and UDP packets of the next batch the capture
// goroutine handed over, waiting for one. Between batches that hold no
// packet it calls LiveOptions.Idle.
func (s *liveSource) NextBatch() ([]Packet, error) {
	s.left = nil
	for {
		if s.cur != nil {
			s.recycle(s.cur)
			s.cur = nil
		}
		if s.done != nil {
			return nil, s.done
		}
		if !s.started {
			s.start()
		}
		s.cur = <-s.full
		if pkts := s.decode(s.cur); len(pkts) > 0 {
			return pkts, nil
		}
		if s.done == nil && s.opts.Idle != nil {
			s.opts.Idle()
		}
	}
}

// Next returns the next TCP or UDP packet, one of the current batch.
func (s *liveSource) Next(p *Packet) error {
	if len(s.left) == 0 {
		pkts, err := s.NextBatch()
		if err != nil {
			return err
		}
		s.left = pkts
	}
	*p = s.left[0]
	s.left = s.left[1:]
	return nil
}

// decode writes and decodes b's frames into b.pkts, counting each in Info,
// and takes b's counts; it sets done when the batch ends the source or
// --count is reached.
func (s *liveSource) decode(b *liveBatch) []Packet {
	s.stats = b.stats
	b.pkts = b.pkts[:0]
	for _, f := range b.frames {
		if s.opts.Count > 0 && s.info.Records >= s.opts.Count {
			s.done = io.EOF
			return b.pkts
		}
		data := b.arena[f.off : f.off+f.capLen]
		ts := time.Unix(0, f.ts)
		if s.opts.Write != nil {
			if err := s.opts.Write.WritePacket(ts, data, f.wireLen); err != nil {
				s.done = &FileError{Path: s.info.Name, Offset: -1, Record: s.info.Records + 1, Err: fmt.Errorf("writing the capture: %w", err)}
				return b.pkts
			}
		}
		n := len(b.pkts)
		b.pkts = b.pkts[:n+1]
		p := &b.pkts[n]
		*p = Packet{Num: s.info.Records + 1, Time: ts.UTC(), Length: max(f.wireLen, f.capLen)}
		o := Decode(s.link, data, p)
		s.info.count(o, p, s.link)
		if o != Decoded {
			b.pkts = b.pkts[:n]
		}
	}
	if s.opts.Count > 0 && s.info.Records >= s.opts.Count {
		s.done = io.EOF
	} else if b.err != nil {
		s.done = b.err
	}
	return b.pkts
}

// recycle gives a batch back to the capture goroutine, emptied.
func (s *liveSource) recycle(b *liveBatch) {
	b.frames, b.arena, b.err = b.frames[:0], b.arena[:0], nil
	if s.done == nil {
		s.free <- b
	}
}
