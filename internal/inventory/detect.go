package inventory

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Kinds of inventory file, as File.Kind records them.
const (
	KindKubectlText    = "kubectl-text"    // kubectl get tables, bare or in a terminal transcript
	KindIstioctlTable  = "istioctl-table"  // istioctl proxy-config endpoint tables
	KindTranscript     = "transcript"      // a transcript holding both kubectl and istioctl tables
	KindKubernetesJSON = "kubernetes-json" // kubectl get -o json
	KindKubernetesYAML = "kubernetes-yaml" // kubectl get -o yaml, or manifests
	KindIstioctlJSON   = "istioctl-json"   // istioctl proxy-config endpoint -o json
	KindIstioctlYAML   = "istioctl-yaml"   // istioctl proxy-config endpoint -o yaml
)

// format is how a file's content is laid out, before its kind is known.
type format uint8

const (
	formatUnknown format = iota
	formatBinary
	formatJSON
	formatYAML
	formatText
)

// sniffLen is how much of a file decides whether it is binary.
const sniffLen = 8 << 10

// captureKind names the capture format data starts with (pcap, pcapng or
// gzip, which is how captures are compressed), "" for none: a capture given
// where an inventory is expected is a common slip, told apart from other
// binary files so that the error can say what to do.
func captureKind(data []byte) string {
	if len(data) < 4 {
		return ""
	}
	switch string(data[:4]) {
	case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d", "\xa1\xb2\xcd\x34", "\x34\xcd\xb2\xa1":
		return "pcap"
	case "\x0a\x0d\x0d\x0a":
		return "pcapng"
	}
	if data[0] == 0x1f && data[1] == 0x8b {
		return "gzip"
	}
	return ""
}

// looksBinary reports whether data starts like a binary file (a capture, an
// archive): a NUL byte or bytes that are not UTF-8 text.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), sniffLen)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	// A multi-byte character may be cut at the end of the sniffed part.
	for i := 0; len(data) > len(head) && i < utf8.UTFMax-1 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	return !utf8.Valid(head)
}

var yamlFirstLine = regexp.MustCompile(`^(---|%YAML|-( |$)|[A-Za-z_][A-Za-z0-9_.-]*:( |$))`)

// detect tells the layout of data by its content:
//
//   - binary: a NUL byte or invalid UTF-8 in the first 8 KiB;
//   - JSON: the first non-blank character is '{' or '[';
//   - YAML: the first line that is neither blank nor a comment is "---",
//     a "%YAML" directive, a "- " list item or a "key:" mapping entry;
//   - text: anything else (tables and transcripts are recognized later,
//     line by line).
func detect(data []byte) format {
	if looksBinary(data) {
		return formatBinary
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return formatUnknown
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return formatJSON
	}
	for line := range strings.Lines(string(trimmed)) {
		line = strings.TrimRight(line, "\r\n")
		if isBlank(line) || strings.HasPrefix(line, "#") {
			continue
		}
		if yamlFirstLine.MatchString(line) {
			return formatYAML
		}
		break
	}
	return formatText
}

var kubernetesMarker = regexp.MustCompile(`(?m)^(apiVersion|kind|items|cluster_statuses|clusterStatuses):|^\s*-?\s*(hostStatuses|host_statuses):`)

// looksKubernetes reports whether YAML text names Kubernetes objects or
// Envoy cluster statuses, so that a syntax error in it is worth reporting
// rather than a sign that the file is something else.
func looksKubernetes(data []byte) bool {
	return kubernetesMarker.Match(data)
}

// hasTables reports whether text holds a table header or a command of a
// known kind: the test that tells an inventory transcript from other text.
func hasTables(text string) bool {
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		if cols := parseHeader(line); cols != nil && tableKindOf(cols) != tableNone {
			return true
		}
		if cmd, ok := commandOf(line); ok && parseCommand(cmd).tool != toolOther {
			return true
		}
	}
	return false
}
