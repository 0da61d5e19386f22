package report

import (
	"cmp"
	"slices"
	"strings"
)

// Summarizer groups flows into summary rows by client (pod, else IP),
// destination (service, else pod, else IP:PORT) and verdict, listing the
// servers reached and the expected paths, as they are added. It keeps no
// flow. The zero value is ready to use.
type Summarizer struct {
	rowsByKey map[summaryKey]*summaryAcc
	order     []*summaryAcc // the rows in the order first seen
	ambiguous int
	flows     int
}

// summaryKey groups flows.
type summaryKey struct {
	client, destination Label
	verdict             Verdict
	role                Role
	intercepted         Interception
}

// summaryAcc is a row being summed, with the explanations of its flows'
// expected paths, each once, in the order first seen.
type summaryAcc struct {
	SummaryRow
	whys []string
	// servers holds Servers once a row has many, so that a row of
	// thousands of servers does not scan them all for each flow.
	servers map[Server]struct{}
}

// manyServers is how many servers a row lists before it keeps them in a
// set too.
const manyServers = 16

// Add counts f in its row.
func (s *Summarizer) Add(f *Flow) {
	k := summaryKey{client: f.ClientLabel(), destination: f.DestinationLabel(), verdict: f.Verdict, role: f.Role, intercepted: f.Intercepted}
	row, ok := s.rowsByKey[k]
	if !ok {
		if s.rowsByKey == nil {
			s.rowsByKey = map[summaryKey]*summaryAcc{}
		}
		row = &summaryAcc{SummaryRow: SummaryRow{Client: k.client, Destination: k.destination, Verdict: k.verdict,
			Role: k.role, Intercepted: k.intercepted, Servers: []Server{}}}
		s.rowsByKey[k] = row
		s.order = append(s.order, row)
	}
	s.flows++
	row.Flows++
	if f.Ambiguous() {
		row.Ambiguous++
		s.ambiguous++
	}
	row.Packets += f.Packets
	row.Bytes += f.Bytes
	// An intercepted connection the sidecar sent over a pooled leg the
	// capture cannot tell reached an endpoint it does not name.
	unnamed := f.Intercepted == Intercepted && !f.Upstream.IsValid() && f.Verdict == SidecarDNAT
	if !unnamed {
		row.addServer(f.Reached())
	}
	for _, n := range f.Nodes {
		if !slices.Contains(row.Nodes, n) {
			row.Nodes = append(row.Nodes, n)
		}
	}
	if !f.Expected.IsZero() {
		row.Expected = row.Expected.Add(f.Expected)
		if f.ExpectedWhy != "" && !slices.Contains(row.whys, f.ExpectedWhy) {
			row.whys = append(row.whys, f.ExpectedWhy)
		}
	}
}

// addServer lists srv once.
func (row *summaryAcc) addServer(srv Server) {
	if row.servers != nil {
		if _, ok := row.servers[srv]; !ok {
			row.servers[srv] = struct{}{}
			row.Servers = append(row.Servers, srv)
		}
		return
	}
	if slices.Contains(row.Servers, srv) {
		return
	}
	row.Servers = append(row.Servers, srv)
	if len(row.Servers) > manyServers {
		row.servers = make(map[Server]struct{}, 2*len(row.Servers))
		for _, s := range row.Servers {
			row.servers[s] = struct{}{}
		}
	}
}

// Flows counts the flows added, and Ambiguous those whose evidence allows
// another reading.
func (s *Summarizer) Flows() int     { return s.flows }
func (s *Summarizer) Ambiguous() int { return s.ambiguous }

// Rows returns the summary, sorted by client, destination and verdict. A
// row's ExpectedWhy joins its flows' explanations with "; and " in the
// order first seen.
func (s *Summarizer) Rows() []SummaryRow {
	// The labels are compared as text: each row's are made once, not at
	// each of the sort's comparisons.
	type sortKey struct {
		client, destination string
		row                 *summaryAcc
	}
	keys := make([]sortKey, 0, len(s.order))
	for _, row := range s.order {
		slices.SortFunc(row.Servers, func(x, y Server) int { return x.Addr.Compare(y.Addr) })
		row.ExpectedWhy = strings.Join(row.whys, "; and ")
		slices.Sort(row.Nodes)
		keys = append(keys, sortKey{client: row.Client.String(), destination: row.Destination.String(), row: row})
	}
	slices.SortFunc(keys, func(x, y sortKey) int {
		return cmp.Or(strings.Compare(x.client, y.client), strings.Compare(x.destination, y.destination),
			cmp.Compare(x.row.Verdict, y.row.Verdict), cmp.Compare(x.row.Role, y.row.Role), cmp.Compare(x.row.Intercepted, y.row.Intercepted))
	})
	out := make([]SummaryRow, len(keys))
	for i, k := range keys {
		out[i] = k.row.SummaryRow
	}
	return out
}
