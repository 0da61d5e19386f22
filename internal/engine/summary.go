package engine

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
)

// summaryKey groups flows.
type summaryKey struct {
	client, destination string
	verdict             Verdict
}

// summarizer groups flows by client (pod, else IP), destination (service,
// else pod, else IP:PORT) and verdict, listing the servers reached and the
// expected paths, as they are added.
type summarizer struct {
	rowsByKey map[summaryKey]*summaryAcc
	order     []summaryKey
}

// summaryAcc is a row being summed, with the expected paths and their
// explanations of its flows, each once, in the order first seen.
type summaryAcc struct {
	SummaryRow
	expected, whys []string
}

func (s *summarizer) add(f *Flow) {
	k := summaryKey{client: clientLabel(*f), destination: destinationLabel(*f), verdict: f.Verdict}
	row, ok := s.rowsByKey[k]
	if !ok {
		if s.rowsByKey == nil {
			s.rowsByKey = map[summaryKey]*summaryAcc{}
		}
		row = &summaryAcc{SummaryRow: SummaryRow{Client: k.client, Destination: k.destination, Verdict: k.verdict, Servers: []Server{}}}
		s.rowsByKey[k] = row
		s.order = append(s.order, k)
	}
	row.Flows++
	if isAmbiguous(f.Evidence) {
		row.Ambiguous++
	}
	row.Packets += f.Packets
	row.Bytes += f.Bytes
	srv := Server{Addr: f.Server, Pod: f.ServerPod}
	if f.NATTo != "" {
		srv = Server{Addr: f.NATTo, Pod: f.NATToPod}
	}
	if !slices.Contains(row.Servers, srv) {
		row.Servers = append(row.Servers, srv)
	}
	if f.Expected != "" {
		row.expected = appendNew(row.expected, f.Expected)
		if f.ExpectedWhy != "" {
			row.whys = appendNew(row.whys, f.ExpectedWhy)
		}
	}
}

// rows returns the summary, sorted. A row's Expected joins its flows'
// expected paths with "+" in the order first seen, and ExpectedWhy their
// explanations with "; and ".
func (s *summarizer) rows() []SummaryRow {
	out := make([]SummaryRow, 0, len(s.order))
	for _, k := range s.order {
		row := s.rowsByKey[k]
		slices.SortFunc(row.Servers, func(x, y Server) int { return compareAddrPort(x.Addr, y.Addr) })
		row.Expected = strings.Join(row.expected, "+")
		row.ExpectedWhy = strings.Join(row.whys, "; and ")
		out = append(out, row.SummaryRow)
	}
	slices.SortFunc(out, func(x, y SummaryRow) int {
		return cmp.Or(cmp.Compare(x.Client, y.Client), cmp.Compare(x.Destination, y.Destination), cmp.Compare(x.Verdict, y.Verdict))
	})
	return out
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// clientLabel is the flow's client pod, else its IP.
func clientLabel(f Flow) string {
	if f.ClientPod != "" {
		return f.ClientPod
	}
	if ap, err := netip.ParseAddrPort(f.Client); err == nil {
		return ap.Addr().String()
	}
	return f.Client
}

// destinationLabel is the flow's service, else its server pod, else the
// address and port it was sent to.
func destinationLabel(f Flow) string {
	switch {
	case f.Service != "":
		return f.Service
	case f.ServerPod != "":
		return f.ServerPod
	}
	return f.Server
}
