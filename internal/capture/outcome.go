package capture

// Outcome says what became of one record: decoded into a Packet, skipped
// because it is not TCP or UDP, or a problem of a named kind. The zero value
// is invalid.
type Outcome uint8

const (
	outcomeInvalid Outcome = iota
	// Decoded: a TCP or UDP packet was returned.
	Decoded
	// NotIP: a frame of another network protocol (ARP, LLDP, STP...).
	NotIP
	// NotTCPUDP: an IP packet of another transport (ICMP, SCTP, ESP...).
	NotTCPUDP
	// Fragment: a non-first IP fragment, which carries no ports.
	Fragment
	// Truncated: the record ends before the headers it needs.
	Truncated
	// Malformed: a header that contradicts itself (bad version, lengths that
	// do not fit).
	Malformed
	// UnsupportedLink: a link type this package does not decode.
	UnsupportedLink
	// UnreadableLine: a tcpdump text line that looks like a packet but
	// could not be read.
	UnreadableLine
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	outcomeInvalid: "invalid", Decoded: "decoded", NotIP: "not IP", NotTCPUDP: "not TCP or UDP",
	Fragment: "IP fragment", Truncated: "truncated", Malformed: "malformed",
	UnsupportedLink: "unsupported link type", UnreadableLine: "unreadable line",
}

// String returns a short lowercase name of the outcome.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "invalid"
}

// IsProblem reports whether the outcome is something wrong with the input,
// which a report shows as a warning, rather than traffic it does not analyze.
func (o Outcome) IsProblem() bool {
	switch o {
	case Truncated, Malformed, UnsupportedLink, UnreadableLine:
		return true
	}
	return false
}

// Outcomes returns every valid outcome in a stable order.
func Outcomes() []Outcome {
	out := make([]Outcome, 0, numOutcomes-1)
	for o := Decoded; o < numOutcomes; o++ {
		out = append(out, o)
	}
	return out
}

// Tally counts records by outcome and remembers the first record of each.
type Tally struct {
	count [numOutcomes]int
	first [numOutcomes]int
}

// Add counts record number num under o.
func (t *Tally) Add(o Outcome, num int) {
	if o >= numOutcomes {
		o = outcomeInvalid
	}
	if t.count[o] == 0 {
		t.first[o] = num
	}
	t.count[o]++
}

// Count returns how many records had outcome o.
func (t *Tally) Count(o Outcome) int {
	if o >= numOutcomes {
		return 0
	}
	return t.count[o]
}

// First returns the number of the first record with outcome o, or 0.
func (t *Tally) First(o Outcome) int {
	if o >= numOutcomes {
		return 0
	}
	return t.first[o]
}
