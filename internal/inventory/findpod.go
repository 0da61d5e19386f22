package inventory

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pcapcheck/pcapcheck/internal/spell"
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
		if n := len(x.podsNamed(arg)); n > 1 {
			return nil, nil, fmt.Errorf("pod %q is in %d namespaces: give it as namespace/name", arg, n)
		}
		return nil, nil, fmt.Errorf("pod %q is not in the inventory%s: give it as namespace/name, or give --inventory with kubectl get pods output", arg, x.didYouMean(arg))
	}
	if ref.Name == "" {
		return nil, nil, errors.New("expected a pod as namespace/name")
	}
	p := &Pod{Ref: ref}
	return p, []string{fmt.Sprintf("pod %s is not in the inventory%s: its labels are not known, so Sidecars with a workloadSelector are taken not to select it", ref, x.didYouMean(arg))}, nil
}

func (x *Index) podsNamed(name string) []*Pod {
	if x == nil {
		return nil
	}
	return x.podByName[name]
}

// didYouMean returns " (did you mean NS/NAME?)" for the pod of the inventory
// whose namespace/name, or name alone, is nearest to arg; "" for none.
func (x *Index) didYouMean(arg string) string {
	if x == nil {
		return ""
	}
	var refs, names []string
	for _, p := range x.inv.Pods {
		refs = append(refs, p.Ref.String())
		names = append(names, p.Name)
	}
	c := spell.Closest(arg, refs)
	if c == "" {
		if i := slices.Index(names, spell.Closest(arg, names)); i >= 0 && names[i] != "" {
			c = refs[i]
		}
	}
	if c == "" {
		return ""
	}
	return " (did you mean " + c + "?)"
}
