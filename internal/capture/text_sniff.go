package capture

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// sniffText tells whether prefix, the first few KB of an input that is not
// pcap, pcapng or gzip, is text tcpdump printed. It is when one of its lines
// reads as a packet line naming IP, IPv6, ARP or a link header (even one
// that names hosts, to be counted unreadable later), when it holds
// tcpdump's "listening on" or "reading from file" banner, or when a shell
// command running tcpdump is followed by lines that start like packets.
// Otherwise looksLike says what the input seems to be, for an error message:
// "JSON", "YAML", "a kubectl table", "an istioctl table", "HTML", "binary
// data", "empty", or "text that is not tcpdump output (first line: ...)".
func sniffText(prefix []byte) (isTcpdump bool, looksLike string) {
	// No line of the prefix is longer than the prefix.
	s := newTextSourceSize("", bytes.NewReader(prefix), len(prefix)+1)
	var p Packet
	for s.Next(&p) == nil {
	}
	if s.known > 0 || s.sawBanner || s.sawCommand && s.info.Records > 0 {
		return true, "tcpdump text"
	}
	return false, describeText(prefix)
}

// describeText names what a prefix that is not tcpdump text looks like.
func describeText(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if len(bytes.TrimSpace(b)) == 0 {
		return "empty"
	}
	if looksBinary(b) {
		return "binary data"
	}
	var command, first []byte
	for rest := b; len(rest) > 0 && first == nil; {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0:
		case line[0] == '$' && command == nil:
			command = line
		default:
			first = line
		}
	}
	if first == nil {
		first = command
	}
	lower := bytes.ToLower(first)
	switch {
	case first[0] == '{' || first[0] == '[':
		return "JSON"
	case first[0] == '<' && (bytes.Contains(bytes.ToLower(b), []byte("<html")) || bytes.HasPrefix(lower, []byte("<!doctype html"))):
		return "HTML"
	case bytes.Contains(command, []byte("istioctl")) || isIstioctlHeader(first):
		return "an istioctl table"
	case bytes.Contains(command, []byte("kubectl")) && !bytes.Contains(command, []byte("-o yaml")) && !bytes.Contains(command, []byte("-o json")),
		isKubectlHeader(first):
		return "a kubectl table"
	case looksYAML(first):
		return "YAML"
	}
	return fmt.Sprintf("text that is not tcpdump output (first line: %q)", clip(first, 60))
}

// looksBinary reports NUL bytes, invalid UTF-8, or control characters in
// more than one byte of ten.
func looksBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	// The prefix may end inside a rune.
	valid := b
	for i := 0; i < utf8.UTFMax && len(valid) > 0 && !utf8.Valid(valid); i++ {
		valid = valid[:len(valid)-1]
	}
	if !utf8.Valid(valid) {
		return true
	}
	control := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' {
			control++
		}
	}
	return control*10 > len(b)
}

// isIstioctlHeader recognizes the header rows of istioctl proxy-status and
// proxy-config.
func isIstioctlHeader(line []byte) bool {
	for _, cols := range [][]string{
		{"ENDPOINT", "STATUS", "CLUSTER"},
		{"NAME", "CDS", "LDS"},
		{"SERVICE FQDN", "PORT"},
		{"ADDRESS", "PORT", "MATCH", "DESTINATION"},
		{"ADDRESSES", "PORT", "MATCH", "DESTINATION"},
		{"NAME", "VHOST NAME", "DOMAINS"},
		{"RESOURCE NAME", "TYPE", "STATUS"},
	} {
		if hasColumns(line, cols) {
			return true
		}
	}
	return false
}

// isKubectlHeader recognizes the header row of kubectl get: NAME (or
// NAMESPACE) first, then more upper-case columns.
func isKubectlHeader(line []byte) bool {
	if !hasPrefix(line, "NAME ") && !hasPrefix(line, "NAMESPACE ") {
		return false
	}
	for _, c := range line {
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return hasColumns(line, []string{"NAME"}) && bytes.Count(line, []byte("  ")) > 0
}

func hasColumns(line []byte, cols []string) bool {
	for _, c := range cols {
		if !bytes.Contains(line, []byte(c)) {
			return false
		}
	}
	return true
}

// looksYAML recognizes a document marker, a list item or a "key:" line.
func looksYAML(line []byte) bool {
	if hasPrefix(line, "---") || hasPrefix(line, "- ") {
		return true
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || (colon+1 < len(line) && line[colon+1] != ' ') {
		return false
	}
	for _, c := range line[:colon] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '"' || c == '\'') {
			return false
		}
	}
	return true
}

// clip shortens s to at most n runes, marking the cut.
func clip(b []byte, n int) string {
	if utf8.RuneCount(b) <= n {
		return string(b)
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return string(b[:i]) + "..."
}
