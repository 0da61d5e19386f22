package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/pcapcheck/pcapcheck/deploy"
)

// labAgentFlag names the agent's executable in the lab's stand-in for the
// kubelet (audit --lab-netns-instead-of-kubelet): the image the DaemonSet
// names cannot run here, its ENTRYPOINT (pcapcheck) can.
const labAgentFlag = "lab-agent-binary"

// labFleetOptions configure the stand-in.
type labFleetOptions struct {
	kube      kubernetes.Interface
	cfg       *rest.Config
	namespace string
	// netns maps each node's name to its network namespace in the lab.
	netns  map[string]string
	binary string
	log    io.Writer
}

// labFleet is the stand-in for the kubelets of fixtures/lab, which has
// network namespaces for nodes and no kubelet: for every Node of the API
// server it runs the container of the DaemonSet audit created (read back
// from the API server: its arguments, and its environment resolved as the
// kubelet resolves the downward API) in that node's network namespace
// with `ip netns exec`, as a hostNetwork pod runs there. What a pod is given
// by the kubelet it is given another way:
//
//   - the ServiceAccount's token comes from the TokenRequest API, as the
//     kubelet's projected token does, and is passed with --token-file and
//     the API server's CA with --ca-file (the agent's flags for an API
//     server other than the pod's own);
//   - the API server listens on 127.0.0.1 in the machine's own namespace,
//     which the node namespaces cannot reach; so a listener on 127.0.0.1 in
//     each node namespace (the socket is made there, the process stays
//     here) forwards the agent's connections to it, as kube-proxy's rules
//     for the kubernetes Service forward a pod's (--api-server names it).
//     TLS runs end to end: the agent checks the API server's certificate.
//
// Standard output and error go to one log file per agent, as a container
// runtime keeps a container's log; audit reads it as it reads a pod's log.
type labFleet struct {
	dir     string
	log     io.Writer
	running []*labAgent
	// grace is the DaemonSet's terminationGracePeriodSeconds.
	grace time.Duration
}

// labAgent is one node's agent.
type labAgent struct {
	node, netns, logPath string
	cmd                  *exec.Cmd
	done                 chan struct{}
	err                  error
	fwd                  *forwarder
}

// labReady is what the agent logs once its capture is open: the
// stand-in's readiness (the DaemonSet has no probe; a running container
// is ready, and the lab's traffic must not start before the capture).
const labReady = "pcapcheck agent: capturing on"

// startLabFleet starts an agent on every node. On error what it started is
// left for stop.
func startLabFleet(ctx context.Context, o labFleetOptions) (*labFleet, error) {
	l := &labFleet{log: o.log, grace: 30 * time.Second}
	if o.cfg == nil {
		return l, errors.New("lab: the stand-in needs a kubeconfig: it passes the API server's address and CA to the agents")
	}
	ds, err := o.kube.AppsV1().DaemonSets(o.namespace).Get(ctx, deploy.DaemonSet, metav1.GetOptions{})
	if err != nil {
		return l, fmt.Errorf("reading back daemonset %s/%s: %w", o.namespace, deploy.DaemonSet, err)
	}
	if g := ds.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		l.grace = time.Duration(*g) * time.Second
	}
	var ctr *corev1.Container
	for i, c := range ds.Spec.Template.Spec.Containers {
		if c.Name == deploy.Container {
			ctr = &ds.Spec.Template.Spec.Containers[i]
		}
	}
	if ctr == nil || len(ctr.Command) > 0 {
		return l, fmt.Errorf("lab: daemonset %s/%s: want container %q running the image's entrypoint with arguments", o.namespace, deploy.DaemonSet, deploy.Container)
	}
	// The DaemonSet tolerates every taint and selects no node: it runs on
	// every Node.
	nodes, err := o.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return l, fmt.Errorf("listing the nodes: %w", err)
	}
	if len(nodes.Items) == 0 {
		return l, errors.New("lab: the API server has no Node: the DaemonSet would run nowhere")
	}
	if l.dir, err = os.MkdirTemp("", "kubectl-pcapcheck-lab-"); err != nil {
		return l, err
	}
	tokenFile, caFile, err := l.credentials(ctx, o, ds.Spec.Template.Spec.ServiceAccountName)
	if err != nil {
		return l, err
	}
	apiAddr, err := hostPort(o.cfg.Host)
	if err != nil {
		return l, err
	}
	for _, n := range nodes.Items {
		ns, ok := o.netns[n.Name]
		if !ok {
			return l, fmt.Errorf("lab: node %s has no network namespace: give --%s %s=NETNS", n.Name, labNetnsFlag, n.Name)
		}
		env, err := containerEnv(ctr, n.Name, ds.Name+"-"+n.Name, o.namespace)
		if err != nil {
			return l, err
		}
		ag := &labAgent{node: n.Name, netns: ns, logPath: filepath.Join(l.dir, n.Name+".log"), done: make(chan struct{})}
		l.running = append(l.running, ag)
		if ag.fwd, err = forward(ns, apiAddr); err != nil {
			return l, err
		}
		args := append([]string{"netns", "exec", ns, o.binary}, ctr.Args...)
		args = append(args, "--api-server", "https://"+ag.fwd.addr(), "--token-file", tokenFile, "--ca-file", caFile)
		if err := ag.start(args, env); err != nil {
			return l, err
		}
		fmt.Fprintf(l.log, "lab: started %s %s on node %s in network namespace %s (API server through %s there)\n",
			filepath.Base(o.binary), strings.Join(ctr.Args, " "), n.Name, ns, ag.fwd.addr())
	}
	return l, nil
}

// credentials writes the ServiceAccount's token, requested as the kubelet
// requests it, and the API server's CA into the fleet's directory.
func (l *labFleet) credentials(ctx context.Context, o labFleetOptions, sa string) (tokenFile, caFile string, err error) {
	expire := int64(3600)
	tr, err := o.kube.CoreV1().ServiceAccounts(o.namespace).CreateToken(ctx, sa,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expire}}, metav1.CreateOptions{})
	if err != nil {
		return "", "", fmt.Errorf("requesting a token of serviceaccount %s/%s: %w", o.namespace, sa, err)
	}
	tokenFile = filepath.Join(l.dir, "token")
	if err := os.WriteFile(tokenFile, []byte(tr.Status.Token), 0o600); err != nil {
		return "", "", err
	}
	ca := o.cfg.CAData
	if len(ca) == 0 && o.cfg.CAFile != "" {
		if ca, err = os.ReadFile(o.cfg.CAFile); err != nil {
			return "", "", err
		}
	}
	if len(ca) == 0 {
		return "", "", errors.New("lab: the kubeconfig names no CA for the API server, which the agent must check")
	}
	caFile = filepath.Join(l.dir, "ca.crt")
	return tokenFile, caFile, os.WriteFile(caFile, ca, 0o644)
}

// containerEnv resolves the container's environment as the kubelet does:
// values, the downward API's pod fields, and resource limits in bytes or
// whole cores.
func containerEnv(c *corev1.Container, node, pod, namespace string) ([]string, error) {
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	for _, e := range c.Env {
		v := e.Value
		switch src := e.ValueFrom; {
		case src == nil:
		case src.FieldRef != nil:
			switch src.FieldRef.FieldPath {
			case "spec.nodeName":
				v = node
			case "metadata.name":
				v = pod
			case "metadata.namespace":
				v = namespace
			default:
				return nil, fmt.Errorf("lab: env %s: field %s is not resolved by the stand-in", e.Name, src.FieldRef.FieldPath)
			}
		case src.ResourceFieldRef != nil:
			r := src.ResourceFieldRef.Resource
			q, ok := c.Resources.Limits[corev1.ResourceName(strings.TrimPrefix(r, "limits."))]
			if !strings.HasPrefix(r, "limits.") || !ok {
				return nil, fmt.Errorf("lab: env %s: resource %s is not resolved by the stand-in", e.Name, r)
			}
			if r == "limits.cpu" {
				v = strconv.FormatInt(q.ScaledValue(0), 10)
			} else {
				v = strconv.FormatInt(q.Value(), 10)
			}
		default:
			return nil, fmt.Errorf("lab: env %s: its source is not resolved by the stand-in", e.Name)
		}
		env = append(env, e.Name+"="+v)
	}
	return env, nil
}

// hostPort returns the host:port of an API server's URL.
func hostPort(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("lab: API server %q: want https://HOST:PORT", server)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "443"), nil
	}
	return u.Host, nil
}

func (a *labAgent) start(args, env []string) error {
	logf, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	a.cmd = exec.Command("ip", args...)
	a.cmd.Env = env
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := a.cmd.Start(); err != nil {
		return fmt.Errorf("lab: starting the agent on %s: %w", a.node, err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.done)
	}()
	return nil
}

// waitReady waits until every agent says its capture is open.
func (l *labFleet) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, a := range l.running {
		for {
			log, _ := os.ReadFile(a.logPath)
			if strings.Contains(string(log), labReady) {
				break
			}
			select {
			case <-a.done:
				return fmt.Errorf("lab: the agent on %s exited (%v): %s", a.node, a.err, lastLines(string(log), 5))
			default:
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("lab: the agent on %s did not capture within %s: %s", a.node, timeout, lastLines(string(log), 5))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("interrupted while waiting for the agents: %w", ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func (l *labFleet) agents(context.Context) ([]agentLog, error) {
	var out []agentLog
	for _, a := range l.running {
		out = append(out, agentLog{name: deploy.DaemonSet + " on " + a.node, node: a.node,
			open: func(context.Context) (io.ReadCloser, error) { return os.Open(a.logPath) }})
	}
	return out, nil
}

// stop ends the agents as the kubelet ends a pod's containers (SIGTERM,
// SIGKILL after the grace period), closes the forwarders and removes the
// fleet's directory.
func (l *labFleet) stop() {
	for _, a := range l.running {
		if a.cmd != nil && a.cmd.Process != nil {
			syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
		}
	}
	for _, a := range l.running {
		if a.cmd != nil && a.cmd.Process != nil {
			select {
			case <-a.done:
			case <-time.After(l.grace):
				syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
				<-a.done
			}
			fmt.Fprintf(l.log, "lab: stopped the agent on node %s\n", a.node)
		}
		if a.fwd != nil {
			a.fwd.close()
		}
	}
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// forwarder accepts connections on 127.0.0.1 in a network namespace and
// joins each to a TCP address reached from this process's own namespace.
type forwarder struct {
	ln    net.Listener
	to    string
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// forward starts a forwarder from a port of 127.0.0.1 in network namespace
// ns (a name under /run/netns) to the address to.
func forward(ns, to string) (*forwarder, error) {
	ln, err := listenIn(ns, "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: listening in network namespace %s: %w", ns, err)
	}
	f := &forwarder{ln: ln, to: to, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

func (f *forwarder) addr() string { return f.ln.Addr().String() }

func (f *forwarder) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.join(c)
		}()
	}
}

// join copies between c and a new connection to f.to until either ends.
func (f *forwarder) join(c net.Conn) {
	up, err := net.DialTimeout("tcp", f.to, 10*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !f.track(c, up) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
	f.mu.Lock()
	delete(f.conns, c)
	delete(f.conns, up)
	f.mu.Unlock()
}

// track records a joined pair, for close; false when closed already.
func (f *forwarder) track(cs ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		f.conns[c] = struct{}{}
	}
	return true
}

func (f *forwarder) close() {
	f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.wg.Wait()
}

// listenIn opens a TCP listener in network namespace ns. The socket is
// made by a thread that entered ns and then went back to its own namespace
// before it is unlocked; the socket stays in ns for its life. The thread
// must go back rather than end: a child process started from it with
// Pdeathsig (the lab's, the agents) would be killed when it ends. If it
// cannot go back, it stays locked, and ends with its goroutine.
func listenIn(ns, addr string) (net.Listener, error) {
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		own, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		defer unix.Close(own)
		fd, err := unix.Open(filepath.Join("/run/netns", ns), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: err}
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{err: fmt.Errorf("setns: %w", err)}
			return
		}
		ln, err := net.Listen("tcp", addr)
		if unix.Setns(own, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{ln, err}
	}()
	r := <-ch
	return r.ln, r.err
}
