package analyze

import (
	"cmp"
	"net/netip"
	"slices"
)

// summaryKey groups flows.
type summaryKey struct {
	client, destination string
	verdict             Verdict
}

// summarize groups flows by client (pod, else IP), destination (service,
// else pod, else IP:PORT) and verdict, listing the servers reached.
func summarize(flows []Flow) []SummaryRow {
	rows := map[summaryKey]*SummaryRow{}
	var order []summaryKey
	for _, f := range flows {
		k := summaryKey{client: clientLabel(f), destination: destinationLabel(f), verdict: f.Verdict}
		row, ok := rows[k]
		if !ok {
			row = &SummaryRow{Client: k.client, Destination: k.destination, Verdict: k.verdict, Servers: []Server{}}
			rows[k] = row
			order = append(order, k)
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
	}
	out := make([]SummaryRow, 0, len(order))
	for _, k := range order {
		row := rows[k]
		slices.SortFunc(row.Servers, func(x, y Server) int { return compareAddrPort(x.Addr, y.Addr) })
		out = append(out, *row)
	}
	slices.SortFunc(out, func(x, y SummaryRow) int {
		return cmp.Or(cmp.Compare(x.Client, y.Client), cmp.Compare(x.Destination, y.Destination), cmp.Compare(x.Verdict, y.Verdict))
	})
	return out
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
