package capture

import "time"

// stampKind is which of tcpdump's timestamp options printed a line's time.
type stampKind uint8

const (
	stampNone stampKind = iota
	// stampClock is the time of day: the default "14:57:02.572059", and
	// the deltas of -ttt and -ttttt, which have the same shape behind a
	// space or a minus sign and are read the same way.
	stampClock
	// stampEpoch is -tt: "1700000000.123456".
	stampEpoch
	// stampDate is -tttt: "2024-01-02 14:57:02.572059".
	stampDate
)

// stamp is a timestamp as printed, before it is placed on a date.
type stamp struct {
	kind             stampKind
	year, month, day int
	// sec counts seconds since midnight, or since 1970 for stampEpoch.
	sec  int64
	nsec int64
}

// parseStamp reads the timestamp a packet line starts with and returns the
// rest of the line after the space that ends it. ok is false when the line
// does not start with one. Fractions of 1 to 9 digits are accepted (tcpdump
// prints 6, or 9 with --nano).
func parseStamp(line []byte) (st stamp, rest []byte, ok bool) {
	b := line
	if len(b) > 1 && (b[0] == ' ' || b[0] == '-') && isDigit(b[1]) {
		b = b[1:] // the sign column of a -ttt or -ttttt delta
	}
	n := countDigits(b)
	switch {
	case n == 0:
		return st, nil, false
	case n == 4 && len(b) > n && b[n] == '-' && len(b) == len(line):
		st.kind = stampDate
		if b, ok = parseDate(b, &st); !ok {
			return st, nil, false
		}
		if b, ok = parseClock(b, &st); !ok {
			return st, nil, false
		}
	case len(b) > n && b[n] == ':':
		st.kind = stampClock
		if b, ok = parseClock(b, &st); !ok {
			return st, nil, false
		}
	case len(b) > n && b[n] == '.' && len(b) == len(line) && n <= 11:
		st.kind = stampEpoch
		st.sec, _ = parseInt(b[:n])
		if b, ok = parseFraction(b[n:], &st); !ok {
			return st, nil, false
		}
	default:
		return st, nil, false
	}
	switch {
	case len(b) == 0:
		return st, b, true
	case b[0] == ' ':
		return st, b[1:], true
	}
	return st, nil, false
}

// parseDate reads "YYYY-MM-DD " into st.
func parseDate(b []byte, st *stamp) ([]byte, bool) {
	if len(b) < 11 || b[4] != '-' || b[7] != '-' || b[10] != ' ' ||
		countDigits(b[5:7]) != 2 || countDigits(b[8:10]) != 2 {
		return nil, false
	}
	y, _ := parseInt(b[0:4])
	m, _ := parseInt(b[5:7])
	d, _ := parseInt(b[8:10])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return nil, false
	}
	st.year, st.month, st.day = int(y), int(m), int(d)
	return b[11:], true
}

// parseClock reads "H:MM:SS.frac" into st.sec and st.nsec. Hours may run
// past 23 (a -ttttt delta after a day) but not past four digits.
func parseClock(b []byte, st *stamp) ([]byte, bool) {
	n := countDigits(b)
	if n == 0 || n > 4 || len(b) < n+7 || b[n] != ':' || b[n+3] != ':' ||
		countDigits(b[n+1:n+3]) != 2 || countDigits(b[n+4:n+6]) != 2 {
		return nil, false
	}
	h, _ := parseInt(b[:n])
	m, _ := parseInt(b[n+1 : n+3])
	s, _ := parseInt(b[n+4 : n+6])
	if m > 59 || s > 60 {
		return nil, false
	}
	st.sec = h*3600 + m*60 + s
	return parseFraction(b[n+6:], st)
}

// parseFraction reads ".ddd" (1 to 9 digits) into st.nsec.
func parseFraction(b []byte, st *stamp) ([]byte, bool) {
	if len(b) < 2 || b[0] != '.' {
		return nil, false
	}
	n := countDigits(b[1:])
	if n == 0 || n > 9 {
		return nil, false
	}
	frac, _ := parseInt(b[1 : 1+n])
	for range 9 - n {
		frac *= 10
	}
	st.nsec = frac
	return b[1+n:], true
}

// clock places the timestamps of one text capture on the time line. tcpdump's
// default time of day carries no date: it is put on UndatedDay, and a
// time of day more than 12 hours earlier than the one before it means the
// capture ran past midnight. -tttt dates are read as UTC, whatever zone
// tcpdump printed them in.
type clock struct {
	days int
	last time.Duration
	seen bool
}

func (c *clock) time(st stamp) time.Time {
	switch st.kind {
	case stampEpoch:
		return time.Unix(st.sec, st.nsec).UTC()
	case stampDate:
		return time.Date(st.year, time.Month(st.month), st.day, 0, 0, int(st.sec), int(st.nsec), time.UTC)
	case stampClock:
		tod := time.Duration(st.sec)*time.Second + time.Duration(st.nsec)
		if c.seen && tod < c.last-12*time.Hour {
			c.days++
		}
		c.last, c.seen = tod, true
		return UndatedDay.AddDate(0, 0, c.days).Add(tod)
	}
	return time.Time{}
}
