package main

import (
	"encoding/json"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/report"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// schemaReport is the JSON document of `pcapcheck analyze` as any consumer
// reads it: the documented field names, and strings and numbers where
// pcapcheck has its own types. Tests that read the CLI's output decode
// into it, so that they hold the output to the schema rather than to the
// types that wrote it.
type schemaReport struct {
	Schema    string                `json:"schema" yaml:"schema"`
	Captures  []report.Capture      `json:"captures" yaml:"captures"`
	Inventory report.InventoryFacts `json:"inventory" yaml:"inventory"`
	Flows     []schemaFlow          `json:"flows" yaml:"flows"`
	Summary   []schemaRow           `json:"summary" yaml:"summary"`
	Warnings  []string              `json:"warnings" yaml:"warnings"`
	Mesh      *report.MeshFacts     `json:"mesh,omitempty" yaml:"mesh,omitempty"`
}

type schemaFlow struct {
	Proto       string    `json:"proto" yaml:"proto"`
	Client      string    `json:"client" yaml:"client"`
	Server      string    `json:"server" yaml:"server"`
	ClientPod   string    `json:"client_pod,omitempty" yaml:"client_pod,omitempty"`
	ServerPod   string    `json:"server_pod,omitempty" yaml:"server_pod,omitempty"`
	Service     string    `json:"service,omitempty" yaml:"service,omitempty"`
	ServicePort int       `json:"service_port,omitempty" yaml:"service_port,omitempty"`
	Verdict     string    `json:"verdict" yaml:"verdict"`
	Evidence    []string  `json:"evidence" yaml:"evidence"`
	SNI         string    `json:"sni,omitempty" yaml:"sni,omitempty"`
	ALPN        []string  `json:"alpn,omitempty" yaml:"alpn,omitempty"`
	HTTPHost    string    `json:"http_host,omitempty" yaml:"http_host,omitempty"`
	HTTPRequest string    `json:"http_request,omitempty" yaml:"http_request,omitempty"`
	NATTo       string    `json:"nat_to,omitempty" yaml:"nat_to,omitempty"`
	NATToPod    string    `json:"nat_to_pod,omitempty" yaml:"nat_to_pod,omitempty"`
	Interface   string    `json:"interface,omitempty" yaml:"interface,omitempty"`
	Handshake   string    `json:"handshake,omitempty" yaml:"handshake,omitempty"`
	ClientFrom  string    `json:"client_from" yaml:"client_from"`
	Packets     int64     `json:"packets" yaml:"packets"`
	Bytes       int64     `json:"bytes" yaml:"bytes"`
	Duplicates  int64     `json:"duplicates,omitempty" yaml:"duplicates,omitempty"`
	First       time.Time `json:"first" yaml:"first"`
	Last        time.Time `json:"last" yaml:"last"`
	Expected    string    `json:"expected,omitempty" yaml:"expected,omitempty"`
	ExpectedWhy string    `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
}

type schemaRow struct {
	Client      string `json:"client" yaml:"client"`
	Destination string `json:"destination" yaml:"destination"`
	Verdict     string `json:"verdict" yaml:"verdict"`
	Flows       int    `json:"flows" yaml:"flows"`
	Ambiguous   int    `json:"ambiguous,omitempty" yaml:"ambiguous,omitempty"`
	Packets     int64  `json:"packets" yaml:"packets"`
	Bytes       int64  `json:"bytes" yaml:"bytes"`
	Servers     []struct {
		Addr string `json:"addr" yaml:"addr"`
		Pod  string `json:"pod,omitempty" yaml:"pod,omitempty"`
	} `json:"servers" yaml:"servers"`
	Expected    string `json:"expected,omitempty" yaml:"expected,omitempty"`
	ExpectedWhy string `json:"expected_why,omitempty" yaml:"expected_why,omitempty"`
}

// schemaComparison is the JSON document of `pcapcheck compare`, read as
// schemaReport reads analyze's.
type schemaComparison struct {
	Schema    string         `json:"schema" yaml:"schema"`
	Before    *schemaReport  `json:"before" yaml:"before"`
	After     *schemaReport  `json:"after" yaml:"after"`
	Changes   []schemaChange `json:"changes" yaml:"changes"`
	Unchanged []schemaChange `json:"unchanged" yaml:"unchanged"`
}

type schemaChange struct {
	Client      string `json:"client" yaml:"client"`
	Destination string `json:"destination" yaml:"destination"`
	Before      string `json:"before" yaml:"before"`
	After       string `json:"after" yaml:"after"`
	Meaning     string `json:"meaning" yaml:"meaning"`
}
