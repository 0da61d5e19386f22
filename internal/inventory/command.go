package inventory

import (
	"path"
	"regexp"
	"strings"
)

// tool is the program a transcript's command line runs.
type tool uint8

const (
	toolOther tool = iota
	toolKubectl
	toolIstioctl
)

// command is what a transcript's command line says about the table that
// follows it.
type command struct {
	tool tool
	// kubectl: the verb and resource of "kubectl get RESOURCE", and the
	// namespace the listing is of ("" when the command does not say, which
	// means the kubeconfig's namespace: unknown here).
	verb      string
	resource  string
	namespace string
	// istioctl: whether it lists a proxy's endpoints, and which proxy.
	endpoints bool
	proxy     Ref
	// unnamed is the word in the pod's place when it does not name a pod:
	// a shell substitution ("$(kubectl get pod ...)", "$POD"), a
	// placeholder ("<sleep-pod>") or another kind ("deploy/sleep").
	unnamed string
}

// promptLine matches a shell prompt and the command after it: "$ cmd",
// "# cmd", "user@host:~$ cmd", "[root@host ~]# cmd", "user@host ~/$ cmd"
// (a space between host and directory, as bash's "\u@\h \w\$" prints) and
// "(venv) user@host:~$ cmd".
var promptLine = regexp.MustCompile(`^\s*(?:\([\w.-]+\)\s+)?(?:\[[^\]]*\]|[\w.-]+@[\w.-]+\s+[~/][^\s$#%>]*|[\w.@:~/()+-]+)? ?[$#%>](?:\s+(.*?))?\s*$`)

// commandOf returns the command of a prompt line.
func commandOf(line string) (string, bool) {
	m := promptLine.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	return m[1], true
}

var kubectlNames = map[string]bool{"kubectl": true, "k": true, "oc": true, "kubecolor": true}

// kubectlValueFlags are kubectl flags that take a value as the next word.
var kubectlValueFlags = map[string]bool{
	"-n": true, "--namespace": true, "-o": true, "--output": true, "-l": true, "--selector": true,
	"--context": true, "--kubeconfig": true, "--cluster": true, "--user": true, "--field-selector": true,
	"-L": true, "--label-columns": true, "--sort-by": true, "--template": true, "-f": true,
	"--filename": true, "-s": true, "--server": true, "--request-timeout": true, "--token": true,
	"--as": true, "--as-group": true, "--chunk-size": true, "-c": true, "--container": true,
}

// istioctlValueFlags are istioctl flags that take a value as the next word.
var istioctlValueFlags = map[string]bool{
	"-n": true, "--namespace": true, "-i": true, "--istioNamespace": true, "-o": true, "--output": true,
	"--context": true, "-c": true, "--kubeconfig": true, "--cluster": true, "--port": true,
	"--address": true, "--status": true, "-f": true, "--file": true, "--proxy-admin-port": true,
	"-r": true, "--revision": true, "--vklog": true, "--log_output_level": true,
}

// parseCommand reads a command line. Only what comes before a pipe, a
// redirection or a command separator counts (see shellWords).
func parseCommand(cmd string) command {
	fields := shellWords(cmd)
	for i, f := range fields {
		name := strings.TrimSuffix(path.Base(f), ".exe")
		switch {
		case kubectlNames[name]:
			return parseKubectl(fields[i+1:])
		case name == "istioctl":
			return parseIstioctl(fields[i+1:])
		}
	}
	return command{tool: toolOther}
}

// shellWords splits cmd into the words the shell would pass, up to a pipe,
// redirection or command separator: quotes are removed, and a $(...)
// substitution stays one word, as when it is quoted.
func shellWords(cmd string) []string {
	var out []string
	var b strings.Builder
	var quote rune
	depth := 0
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	prev := rune(0)
	for _, r := range cmd {
		keep := true
		switch {
		case quote != 0:
			if r == quote {
				quote, keep = 0, depth > 0
			}
		case r == '"' || r == '\'':
			quote, keep = r, depth > 0
		case r == '(' && prev == '$':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth > 0:
		case r == ' ' || r == '\t':
			flush()
			keep = false
		case r == '>' && strings.Contains(b.String(), "<"):
			// the end of a placeholder of documentation, "<sleep-pod>"
		case strings.ContainsRune("|;&>", r):
			flush()
			return out
		}
		if keep {
			b.WriteRune(r)
		}
		prev = r
	}
	flush()
	return out
}

// flagArgs splits args into positional words and flag values, knowing
// which flags take a value.
func flagArgs(args []string, valueFlags map[string]bool) (positional []string, flags map[string]string) {
	flags = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(positional, args[i+1:]...), flags
		case strings.HasPrefix(a, "--"):
			if k, v, ok := strings.Cut(a, "="); ok {
				flags[k] = v
			} else if valueFlags[a] && i+1 < len(args) {
				flags[a] = args[i+1]
				i++
			} else {
				flags[a] = "true"
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			short := a[:2]
			switch {
			case len(a) > 2 && valueFlags[short]:
				flags[short] = strings.TrimPrefix(a[2:], "=") // -nbookinfo, -n=bookinfo
			case valueFlags[short] && i+1 < len(args):
				flags[short] = args[i+1]
				i++
			default:
				flags[a] = "true"
			}
		default:
			positional = append(positional, a)
		}
	}
	return positional, flags
}

func parseKubectl(args []string) command {
	pos, flags := flagArgs(args, kubectlValueFlags)
	c := command{tool: toolKubectl}
	if len(pos) > 0 {
		c.verb = pos[0]
	}
	if len(pos) > 1 {
		c.resource = strings.ToLower(pos[1])
	}
	c.namespace = firstOf(flags, "-n", "--namespace")
	if flags["-A"] == "true" || flags["--all-namespaces"] == "true" {
		c.namespace = "" // the table has a NAMESPACE column
	}
	return c
}

func parseIstioctl(args []string) command {
	pos, flags := flagArgs(args, istioctlValueFlags)
	c := command{tool: toolIstioctl}
	if len(pos) > 0 && (pos[0] == "x" || pos[0] == "experimental") {
		pos = pos[1:]
	}
	if len(pos) < 2 || (pos[0] != "proxy-config" && pos[0] != "pc") {
		return c
	}
	switch pos[1] {
	case "endpoint", "endpoints", "ep", "eps":
		c.endpoints = true
	default:
		return c
	}
	if len(pos) < 3 || firstOf(flags, "-f", "--file") != "" {
		return c // read from a config dump: no pod named
	}
	name, ns := pos[2], firstOf(flags, "-n", "--namespace")
	if unnamed(name) {
		c.unnamed = name
		return c
	}
	if kind, rest, ok := strings.Cut(name, "/"); ok {
		if kind != "pod" && kind != "pods" && kind != "po" {
			c.unnamed = name // deploy/NAME: istioctl picks one of its pods
			return c
		}
		name = rest
	}
	// istioctl reads "name.namespace" by the last dot, as it does itself.
	if i := strings.LastIndexByte(name, '.'); i > 0 && !strings.Contains(name, "/") {
		name, ns = name[:i], name[i+1:]
	}
	c.proxy = Ref{Namespace: ns, Name: name}
	return c
}

// unnamed reports whether word, in the place of istioctl's pod, does not
// spell a pod's name: a substitution or variable the shell expanded, or a
// placeholder of documentation.
func unnamed(word string) bool {
	word = strings.Trim(word, `"'`)
	return strings.ContainsAny(word, "$`<>{}[]()*")
}

func firstOf(flags map[string]string, names ...string) string {
	for _, n := range names {
		if v := flags[n]; v != "" && v != "true" {
			return v
		}
	}
	return ""
}

// inventoryResource reports whether "kubectl get RESOURCE" lists a kind the
// inventory reads. A comma list ("pods,svc") counts when any part does.
func inventoryResource(resource string) bool {
	for _, r := range strings.Split(resource, ",") {
		r, _, _ = strings.Cut(r, "/")
		r, _, _ = strings.Cut(r, ".")
		switch r {
		case "pod", "pods", "po", "service", "services", "svc", "node", "nodes", "no",
			"endpointslice", "endpointslices", "endpoints", "ep", "all":
			return true
		}
	}
	return false
}
