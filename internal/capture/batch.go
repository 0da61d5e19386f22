package capture

import (
	"io"
	"slices"
	"time"
)

// A pcap or pcapng source frames and decodes in a goroutine of its own, one
// batch of packets at a time, while the caller of Next (the analyzer)
// updates its flows on another core. Next then only copies packets out of
// the current batch, and NextBatch hands the batch over whole.
//
// A packet's Payload points into the chunk its record was read from, or
// into the batch's arena when the record straddled two chunks. The framing
// goroutine ends a batch as soon as it moves past a chunk it returned
// records from, and hands that chunk over with the batch; Next gives the
// chunk back to the source when it moves past the batch. So a batch holds
// at most one chunk, and a payload stays valid until the next call to Next,
// as the Source contract says.

// batchLen is the most packets a batch holds.
const batchLen = 1024

// maxKeptArena is the largest arena a batch keeps for the next one.
const maxKeptArena = 1 << 20

// batchesInFlight is how many batches circulate: decoded and waiting, being
// read by Next, and being filled. The framing goroutine and the analyzer
// take about as long over a capture, each with pauses of its own (a window
// mapped, a burst of new flows, a garbage collection); with 4 batches, some
// 4,000 packets, either side waited for the other through the other's pause:
// on the 1.5 GB random capture of make bench the analyzer waited 66 to 72 ms.
// 16 absorb the pauses (waits of 4 to 15 ms; 0.24 to 0.26 s against 0.32 to
// 0.33 s for the whole analysis) for 2.5 MB more of batches, within the
// chunks' limit (a batch holds at most one chunk; a 2 MiB window holds about
// five batches).
const batchesInFlight = 16

// batch is a run of decoded packets, in record order.
type batch struct {
	pkts []Packet
	// chunks are the chunks the packets point into that the framing
	// goroutine has moved past: Next releases them with the batch.
	chunks []*chunk
	arena  []byte
	// prepared is what the source's prepare function returned for pkts
	// (Preparer), or nil.
	prepared any
	// err, on the last batch, is what ended the source: io.EOF or a
	// *FileError.
	err error
}

// start launches the framing goroutine.
func (s *fileSource) start() {
	s.started = true
	s.full = make(chan *batch, batchesInFlight)
	s.free = make(chan *batch, batchesInFlight)
	s.stop = make(chan struct{})
	for range batchesInFlight {
		s.free <- &batch{}
	}
	s.rr.keep = true
	go s.frameLoop()
}

// frameLoop fills batches until the input ends or the source is closed. It
// alone touches the record reader, the frame reader and Info from here on;
// Info is complete when the last batch is sent.
func (s *fileSource) frameLoop() {
	guardFaults()
	var b *batch
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault || b == nil {
				panic(r)
			}
			// A mapped file was cut short by another process. The record
			// being framed is dropped; those before it stand.
			b.pkts = b.pkts[:s.complete]
			// The batch was not prepared, or the fault came while it was.
			b.prepared = nil
			b.chunks = append(b.chunks, s.rr.retired...)
			b.err = &FileError{Path: s.info.Name, Offset: s.fr.offset(), Record: s.info.Records + 1, Err: ErrFileChanged}
			select {
			case s.full <- b:
			case <-s.stop:
			}
		}
	}()
	for {
		b = nil
		select {
		case b = <-s.free:
		case <-s.stop:
			return
		}
		s.rr.arena = b.arena[:0]
		s.fill(b)
		b.arena = s.rr.arena
		if s.prepare != nil && len(b.pkts) > 0 {
			b.prepared = s.prepare(b.pkts, b.prepared)
		}
		b.chunks = append(b.chunks, s.rr.retired...)
		clear(s.rr.retired)
		s.rr.retired = s.rr.retired[:0]
		select {
		case s.full <- b:
		case <-s.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// fill frames and decodes records into b until it is full, a chunk was
// moved past, or the input ends. Decoded records are counted in Info once
// per batch rather than one by one.
func (s *fileSource) fill(b *batch) {
	var decoded, firstDecoded int
	var minTS, maxTS int64
	defer func() {
		if decoded > 0 {
			s.info.countDecoded(decoded, firstDecoded, minTS, maxTS)
		}
	}()
	for len(b.pkts) < batchLen && len(s.rr.retired) == 0 {
		s.complete = len(b.pkts)
		// Every frame reader reads through s.rr: its offset is the
		// reader's.
		start := s.rr.off
		if err := s.fr.next(&s.f); err != nil {
			b.err = s.wrap(err, start)
			return
		}
		n := len(b.pkts)
		if n == cap(b.pkts) {
			// Batches start small, so that a small input costs little.
			b.pkts = slices.Grow(b.pkts, min(max(2*n, 64), batchLen)-n)
		}
		b.pkts = b.pkts[:n+1]
		p := &b.pkts[n]
		ts := s.f.ts
		// The slot holds an earlier packet: Decode sets every field it
		// does not leave to the caller when it returns Decoded (see
		// TestDecodeSetsEveryField), so the slot is not cleared first.
		p.Num, p.Time, p.Interface, p.Length = s.info.Records+1, time.Unix(0, ts).UTC(), s.f.iface, s.f.origLen
		link := LinkUnknown
		if s.f.iface < len(s.info.Interfaces) {
			link = s.info.Interfaces[s.f.iface].LinkType
		}
		o := s.f.bad
		if o == outcomeInvalid {
			o = Decode(link, s.f.data, p)
		}
		if o != Decoded {
			s.info.count(o, p, link)
			b.pkts = b.pkts[:n]
			continue
		}
		s.info.Records++
		if decoded == 0 {
			firstDecoded, minTS, maxTS = p.Num, ts, ts
		}
		decoded++
		minTS, maxTS = min(minTS, ts), max(maxTS, ts)
	}
}

// countDecoded counts n decoded records, the first of them number first,
// whose timestamps range from minTS to maxTS (Unix nanoseconds): what n
// calls of count would, but for their Records, which the caller counted.
func (i *Info) countDecoded(n, first int, minTS, maxTS int64) {
	if i.Outcomes.count[Decoded] == 0 {
		i.Outcomes.first[Decoded] = first
	}
	i.Outcomes.count[Decoded] += n
	lo, hi := time.Unix(0, minTS).UTC(), time.Unix(0, maxTS).UTC()
	if !i.timed || lo.Before(i.First) {
		i.First = lo
	}
	if !i.timed || hi.After(i.Last) {
		i.Last = hi
	}
	i.timed = true
}

// Next returns the next packet of the current batch, moving to the next
// batch (and giving the previous one back) when it is used up.
func (s *fileSource) Next(p *Packet) error {
	for {
		if b := s.cur; b != nil {
			if s.i < len(b.pkts) {
				*p = b.pkts[s.i]
				s.i++
				return nil
			}
			// Read the error before the batch goes back to the framing
			// goroutine, which may fill it at once.
			s.cur, s.done = nil, b.err
			s.recycle(b)
		}
		if s.done != nil {
			return s.done
		}
		if !s.started {
			s.start()
		}
		s.cur, s.i = <-s.full, 0
	}
}

// Batcher is implemented by sources that hand out packets a batch at a
// time, which spares copying each one as Next does. A Batcher's Next and
// NextBatch may be mixed.
type Batcher interface {
	// NextBatch returns the source's next packets, in order. They and their
	// payloads are valid until the next call to NextBatch or Next. At the
	// end it returns no packets and io.EOF, or the error Next would.
	NextBatch() ([]Packet, error)
}

// NextBatch returns what is left of the current batch, or the next one.
func (s *fileSource) NextBatch() ([]Packet, error) {
	pkts, _, _, err := s.NextPrepared()
	return pkts, err
}

// A Preparer is a Batcher that runs a function of the caller's on each
// batch on the framing goroutine, before handing it over: work that needs
// only the packets is then done on the core that frames rather than on the
// one that updates flows, when that one has the larger share.
type Preparer interface {
	Batcher
	// Prepare sets fn, which must be set before the first Next or
	// NextBatch. fn is called on the framing goroutine with each batch's
	// packets and what it returned the last time it was called for the same
	// batch's memory (nil the first time, and after a batch was cut short
	// by a fault), so that it can reuse what it made: batches circulate. It
	// must not keep pkts.
	Prepare(fn func(pkts []Packet, prev any) any)
	// NextPrepared is NextBatch, with what fn returned for the batch the
	// packets belong to (nil if it was not called for it) and the index of
	// the first of them in that batch (more than 0 when Next took some).
	NextPrepared() (pkts []Packet, prepared any, first int, err error)
}

// Prepare sets the function the framing goroutine runs on each batch.
func (s *fileSource) Prepare(fn func(pkts []Packet, prev any) any) {
	if s.started {
		panic("capture: Prepare after the first Next")
	}
	s.prepare = fn
}

// NextPrepared returns what is left of the current batch, or the next one,
// with what the prepare function made of the batch.
func (s *fileSource) NextPrepared() ([]Packet, any, int, error) {
	for {
		if b := s.cur; b != nil {
			if first := s.i; first < len(b.pkts) {
				s.i = len(b.pkts)
				return b.pkts[first:], b.prepared, first, nil
			}
			// Read the error before the batch goes back to the framing
			// goroutine, which may fill it at once.
			s.cur, s.done = nil, b.err
			s.recycle(b)
		}
		if s.done != nil {
			return nil, nil, 0, s.done
		}
		if !s.started {
			s.start()
		}
		s.cur, s.i = <-s.full, 0
	}
}

// recycle gives a batch's chunks back to the source and the batch back to
// the framing goroutine.
func (s *fileSource) recycle(b *batch) {
	for i, c := range b.chunks {
		s.rr.src.release(c)
		b.chunks[i] = nil
	}
	b.chunks = b.chunks[:0]
	b.pkts = b.pkts[:0]
	if cap(b.arena) > maxKeptArena {
		// A huge record passed: do not hold its copy for good.
		b.arena = nil
	}
	if s.done == nil {
		s.free <- b
	}
}

// Close stops the framing goroutine and the reading, and closes the input.
// It does not wait for a read in progress (standard input may block).
func (s *fileSource) Close() error {
	if s.started {
		closeOnce(s.stop)
	}
	s.rr.close()
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

var _ io.Closer = (*fileSource)(nil)
