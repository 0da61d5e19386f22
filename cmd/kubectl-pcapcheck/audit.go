package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/pcapcheck/pcapcheck/deploy"
	"github.com/pcapcheck/pcapcheck/internal/merge"
	"github.com/pcapcheck/pcapcheck/internal/render"
	"github.com/pcapcheck/pcapcheck/internal/report"
)

// auditCmd holds the flags of `kubectl pcapcheck audit`.
type auditCmd struct {
	clients      *clients
	streams      genericiooptions.IOStreams
	duration     time.Duration
	image        string
	namespace    string
	readyTimeout time.Duration
	skew         time.Duration
	out          outputFlags
	// labReports is the stand-in for agents (hidden): the reports in this
	// directory are read instead of waiting for the agents and reading
	// their logs.
	labReports string
	// labNetns and labAgent are the stand-in for the kubelet (hidden):
	// instead of waiting for the DaemonSet's pods, the agent its container
	// runs is started as labAgent in each node's network namespace of
	// fixtures/lab (node name to namespace), and its log is read from
	// there (labfleet.go).
	labNetns map[string]string
	labAgent string
}

// fieldManager names audit in the objects' managed fields.
const fieldManager = "kubectl-pcapcheck"

func newAuditCmd(c *clients, streams genericiooptions.IOStreams) *cobra.Command {
	ac := &auditCmd{clients: c, streams: streams}
	cmd := &cobra.Command{
		Use:   "audit [--duration 60s] [--image IMAGE] [--agent-namespace NS] [-o FORMAT]...",
		Short: "Run a pcapcheck agent on every node for a while and print one cluster-wide report",
		Long: `Applies deploy/'s manifests (a namespace, the agent's ServiceAccount with read-only RBAC,
and a DaemonSet of pcapcheck agent on every node's host network), waits for the agents,
lets them capture for --duration, reads each agent's report from its log, merges them
(a connection seen on two nodes once, kube-proxy's legs paired across nodes) and prints
the cluster-wide report. Everything it applied is deleted at the end, on Ctrl-C and on
errors too.`,
		Example: `  kubectl pcapcheck audit --duration 2m --image registry.example/pcapcheck:v1
  kubectl pcapcheck audit -o html > cluster.html`,
		Args: cobra.NoArgs,
		RunE: ac.run,
	}
	f := cmd.Flags()
	f.DurationVar(&ac.duration, "duration", time.Minute, "how long the agents capture once all run")
	f.StringVar(&ac.image, "image", deploy.DefaultImage, "the agent's image (deploy/Dockerfile builds it)")
	f.StringVar(&ac.namespace, "agent-namespace", deploy.Namespace, "namespace created for the agents (and deleted after)")
	f.DurationVar(&ac.readyTimeout, "ready-timeout", 3*time.Minute, "how long to wait for an agent on every node")
	f.DurationVar(&ac.skew, "skew", merge.DefaultSkew, "how far apart two nodes' sightings of one connection may be (clock difference)")
	f.StringArrayVarP(&ac.out.formats, "output", "o", nil, "report format: "+formatList()+"; repeatable (default table)")
	f.StringVar(&ac.labReports, "lab-reports-instead-of-agents", "", "")
	f.MarkHidden("lab-reports-instead-of-agents")
	f.StringToStringVar(&ac.labNetns, labNetnsFlag, nil, "")
	f.MarkHidden(labNetnsFlag)
	f.StringVar(&ac.labAgent, labAgentFlag, "pcapcheck", "")
	f.MarkHidden(labAgentFlag)
	return cmd
}

func (ac *auditCmd) run(cmd *cobra.Command, _ []string) (err error) {
	formats, err := ac.out.parse()
	if err != nil {
		return err
	}
	if ac.duration <= 0 {
		return usagef("--duration must be positive, got %s", ac.duration)
	}
	if err := ac.clients.load(); err != nil {
		return err
	}
	a := &auditor{kube: ac.clients.kube, dyn: ac.clients.dyn, namespace: ac.namespace, log: ac.streams.ErrOut}
	objs, err := a.objects(ac.image, ac.duration)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	// Cleanup runs whatever happens, Ctrl-C included, with a context of
	// its own: the command's is cancelled by then.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if cerr := a.cleanup(cctx); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	if err := a.apply(ctx, objs); err != nil {
		return err
	}
	var reports []*report.Report
	if ac.labReports != "" {
		reports, err = readReports(ac.labReports)
	} else {
		var f fleet = kubeFleet{kube: ac.clients.kube, namespace: ac.namespace}
		if len(ac.labNetns) > 0 {
			lf, err := startLabFleet(ctx, labFleetOptions{
				kube: ac.clients.kube, cfg: ac.clients.cfg, namespace: ac.namespace,
				netns: ac.labNetns, binary: ac.labAgent, log: ac.streams.ErrOut,
			})
			// Registered after the objects' cleanup, so run before it: the
			// agents stop as their pods would, then the objects go.
			defer lf.stop()
			if err != nil {
				return err
			}
			f = lf
		}
		reports, err = a.gather(ctx, f, ac.readyTimeout, ac.duration)
	}
	if err != nil {
		return err
	}
	merged, st, err := merge.Merge(reports, merge.Options{Skew: ac.skew})
	if err != nil {
		return err
	}
	fmt.Fprintf(ac.streams.ErrOut, "kubectl pcapcheck: %d nodes, %d sightings, %d connections (%d seen on two nodes or more, %d of them kube-proxy legs paired)\n",
		len(merged.Nodes), st.Sightings, st.Connections, st.Shared, st.Paired)
	for i, f := range formats {
		r, err := render.New(f, render.WithFlows(ac.out.flows))
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(ac.streams.Out)
		}
		if err := r.Analysis(ac.streams.Out, merged, nil); err != nil {
			return err
		}
	}
	return nil
}

// auditor applies the agent's objects, gathers the agents' reports and
// deletes what it applied.
type auditor struct {
	kube      kubernetes.Interface
	dyn       dynamic.Interface
	namespace string
	log       io.Writer
	// applied lists what apply created, in order.
	applied []*unstructured.Unstructured
}

// kinds are the resources of deploy/'s manifests.
var kinds = map[string]struct {
	gvr        schema.GroupVersionResource
	namespaced bool
}{
	"Namespace":          {schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, false},
	"ServiceAccount":     {schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, true},
	"ClusterRole":        {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}, false},
	"ClusterRoleBinding": {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}, false},
	"Role":               {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}, true},
	"RoleBinding":        {schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}, true},
	"DaemonSet":          {schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}, true},
}

// objects decodes deploy/'s manifests with the image, the agent's
// arguments (a report every duration) and the namespace set.
func (a *auditor) objects(image string, duration time.Duration) ([]*unstructured.Unstructured, error) {
	ms, err := deploy.Render(deploy.Options{Image: image, Args: []string{"agent", "--interval=" + duration.String()}})
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, m := range ms {
		for _, doc := range strings.Split("\n"+string(m.Data), "\n---") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				return nil, fmt.Errorf("deploy/%s: %w", m.Name, err)
			}
			if len(obj) == 0 {
				continue
			}
			u := &unstructured.Unstructured{Object: obj}
			k, ok := kinds[u.GetKind()]
			if !ok {
				return nil, fmt.Errorf("deploy/%s: audit does not apply kind %s", m.Name, u.GetKind())
			}
			switch {
			case u.GetKind() == "Namespace":
				u.SetName(a.namespace)
			case k.namespaced:
				u.SetNamespace(a.namespace)
			}
			if subjects, ok := obj["subjects"].([]any); ok {
				for _, s := range subjects {
					if sm, ok := s.(map[string]any); ok && sm["kind"] == "ServiceAccount" {
						sm["namespace"] = a.namespace
					}
				}
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// apply creates the objects in order, recording each. It creates rather
// than applies: cleanup must delete only what this audit made.
func (a *auditor) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	for _, u := range objs {
		k := kinds[u.GetKind()]
		ri := a.dyn.Resource(k.gvr)
		var r dynamic.ResourceInterface = ri
		if k.namespaced {
			r = ri.Namespace(u.GetNamespace())
		}
		if _, err := r.Create(ctx, u, metav1.CreateOptions{FieldManager: fieldManager}); err != nil {
			if apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("%s %s exists already (deploy/ applied by hand, or an audit that could not clean up): audit deletes only what it creates, so delete it first (kubectl delete %s %s) or give another --agent-namespace",
					strings.ToLower(u.GetKind()), qualified(u), strings.ToLower(u.GetKind()), qualified(u))
			}
			if apierrors.IsForbidden(err) {
				return fmt.Errorf("not allowed to create %s %s: audit needs to create a namespace, a ClusterRole and binding and a DaemonSet (cluster-admin, or apply deploy/ yourself and use pcapcheck merge)", strings.ToLower(u.GetKind()), u.GetName())
			}
			return fmt.Errorf("creating %s %s: %w", u.GetKind(), u.GetName(), err)
		}
		a.applied = append(a.applied, u)
		fmt.Fprintf(a.log, "created %s %s\n", strings.ToLower(u.GetKind()), qualified(u))
	}
	return nil
}

func qualified(u *unstructured.Unstructured) string {
	if u.GetNamespace() != "" {
		return u.GetNamespace() + "/" + u.GetName()
	}
	return u.GetName()
}

// cleanup deletes what apply created, last first; an object already gone
// is no error.
func (a *auditor) cleanup(ctx context.Context) error {
	var errs []error
	for _, u := range slices.Backward(a.applied) {
		k := kinds[u.GetKind()]
		ri := a.dyn.Resource(k.gvr)
		var r dynamic.ResourceInterface = ri
		if k.namespaced {
			r = ri.Namespace(u.GetNamespace())
		}
		bg := metav1.DeletePropagationBackground
		err := r.Delete(ctx, u.GetName(), metav1.DeleteOptions{PropagationPolicy: &bg})
		switch {
		case err == nil:
			fmt.Fprintf(a.log, "deleted %s %s\n", strings.ToLower(u.GetKind()), qualified(u))
		case apierrors.IsNotFound(err):
		default:
			errs = append(errs, fmt.Errorf("deleting %s %s: %w (delete it with kubectl delete)", u.GetKind(), qualified(u), err))
		}
	}
	a.applied = nil
	return errors.Join(errs...)
}

// fleet is what runs the DaemonSet's agents and keeps their logs: the
// cluster's kubelets (kubeFleet) or, in tests, the lab's stand-in for them
// (labFleet).
type fleet interface {
	// waitReady returns once an agent runs on every node the DaemonSet
	// schedules to.
	waitReady(ctx context.Context, timeout time.Duration) error
	// agents lists the agents, each with what opens its log.
	agents(ctx context.Context) ([]agentLog, error)
}

// agentLog is one agent and the log it wrote, standard output and error
// together, as a container runtime keeps them.
type agentLog struct {
	// name names the agent (its pod) and node its node, in errors.
	name, node string
	open       func(context.Context) (io.ReadCloser, error)
}

// reportMargin is how long after --duration the agents' logs are read:
// time for the report each agent writes every --interval (the duration)
// to reach its log.
const reportMargin = 10 * time.Second

// gather waits for an agent on every node, lets them capture for
// duration (plus reportMargin) and reads each one's last report from its
// log.
func (a *auditor) gather(ctx context.Context, f fleet, readyTimeout, duration time.Duration) ([]*report.Report, error) {
	if err := f.waitReady(ctx, readyTimeout); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.log, "agents run; capturing for %s\n", duration)
	select {
	case <-time.After(duration + reportMargin):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	agents, err := f.agents(ctx)
	if err != nil {
		return nil, err
	}
	var reports []*report.Report
	for _, ag := range agents {
		rc, err := ag.open(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the log of agent %s on node %s: %w", ag.name, ag.node, err)
		}
		rep, err := merge.Read(ag.name, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// kubeFleet is the cluster's: the DaemonSet's pods, run by the kubelets,
// and their logs read through the API.
type kubeFleet struct {
	kube      kubernetes.Interface
	namespace string
}

func (k kubeFleet) agents(ctx context.Context) ([]agentLog, error) {
	pods, err := k.kube.CoreV1().Pods(k.namespace).List(ctx, metav1.ListOptions{LabelSelector: deploy.Selector})
	if err != nil {
		return nil, fmt.Errorf("listing the agents: %w", err)
	}
	var out []agentLog
	for _, p := range pods.Items {
		out = append(out, agentLog{name: p.Name, node: p.Spec.NodeName, open: func(ctx context.Context) (io.ReadCloser, error) {
			return k.kube.CoreV1().Pods(k.namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: deploy.Container}).Stream(ctx)
		}})
	}
	return out, nil
}

// waitReady waits until the DaemonSet has a ready agent on every node it
// schedules to.
func (k kubeFleet) waitReady(parent context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	var desired, ready int32
	for {
		ds, err := k.kube.AppsV1().DaemonSets(k.namespace).Get(ctx, deploy.DaemonSet, metav1.GetOptions{})
		if err == nil {
			desired, ready = ds.Status.DesiredNumberScheduled, ds.Status.NumberReady
			if desired > 0 && ready == desired {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				return fmt.Errorf("interrupted while waiting for the agents: %w", parent.Err())
			}
			return fmt.Errorf("%d of %d agents ready after %s: look at kubectl -n %s describe daemonset %s (an image the nodes cannot pull? give one with --image)",
				ready, desired, timeout, k.namespace, deploy.DaemonSet)
		case <-tick.C:
		}
	}
}

// readReports reads every file of dir as one node's report.
func readReports(dir string) ([]*report.Report, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*report.Report
	for _, e := range entries {
		r, err := merge.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
