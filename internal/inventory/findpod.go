package inventory

import (
	"errors"
	"fmt"
	"strings"
)

// FindPod finds the pod an argument names: namespace/name, name.namespace
// (as istioctl takes it), or a name unique in the inventory. A pod the
// inventory does not list but whose namespace is given is made up, without
// labels, with a warning. x may be nil, for an empty inventory.
func (x *Index) FindPod(arg string) (*Pod, []string, error) {
	ref := Ref{Name: arg}
	if ns, name, ok := strings.Cut(arg, "/"); ok {
		ref = Ref{Namespace: ns, Name: name}
	}
	if x != nil {
		if p := x.Pod(ref); p != nil {
			return p, nil, nil
		}
		if i := strings.LastIndexByte(arg, '.'); ref.Namespace == "" && i > 0 {
			if p := x.Pod(Ref{Namespace: arg[i+1:], Name: arg[:i]}); p != nil {
				return p, nil, nil
			}
		}
	}
	if ref.Namespace == "" {
		return nil, nil, fmt.Errorf("pod %q is not in the inventory: give it as namespace/name, or give --inventory with kubectl get pods output", arg)
	}
	if ref.Name == "" {
		return nil, nil, errors.New("expected a pod as namespace/name")
	}
	p := &Pod{Ref: ref}
	return p, []string{fmt.Sprintf("pod %s is not in the inventory: its labels are not known, so Sidecars with a workloadSelector are taken not to select it", ref)}, nil
}
