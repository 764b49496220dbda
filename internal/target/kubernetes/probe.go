package kubernetes

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/metadata"

	"plumb.dev/plumb"
)

// absent finds the desired objects that do not exist in the cluster at
// all, with one metadata-only list per resource and namespace that has
// candidates (desired objects plumb does not see live under its label).
// Such objects are plainly new: they are planned as creates from the
// manifest, without a dry-run each, and validated when applied. Their
// namespaces must exist or be created by the app.
func (d *Driver) absent(ctx context.Context, app plumb.AppRef, p *prepared, live liveSet) (map[ObjKey]bool, error) {
	byScope := map[scope][]*desiredObj{}
	creates := map[string]bool{}
	for _, o := range p.objs {
		if o.key.Kind == "Namespace" && o.key.Group == "" {
			creates[o.key.Name] = true
		}
		if o.typ.pending || live[o.key] != nil {
			continue
		}
		s := scope{gvr: o.typ.gvr}
		if o.typ.namespaced {
			s.namespace = o.key.Namespace
		}
		byScope[s] = append(byScope[s], o)
	}
	if len(byScope) == 0 {
		return nil, nil
	}
	mc, err := d.metadataFor(app)
	if err != nil {
		return nil, err
	}
	scopes := make([]scope, 0, len(byScope))
	for s := range byScope {
		scopes = append(scopes, s)
	}
	out := map[ObjKey]bool{}
	var mu sync.Mutex
	errs := forEach(ctx, len(scopes), d.concurrency, func(ctx context.Context, i int) error {
		s := scopes[i]
		names, err := listNames(ctx, mc, s)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, o := range byScope[s] {
			if !names[o.key.Name] {
				out[o.key] = true
			}
		}
		return nil
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	return out, d.namespacesExist(ctx, p, out, creates)
}

// listNames lists the names of every object in one scope.
func listNames(ctx context.Context, mc metadata.Interface, s scope) (map[string]bool, error) {
	names := map[string]bool{}
	opts := metav1.ListOptions{Limit: 1000}
	for {
		l, err := mc.Resource(s.gvr).Namespace(s.namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list %s in %q: %w", s.gvr.Resource, s.namespace, err)
		}
		for _, it := range l.Items {
			names[it.Name] = true
		}
		if opts.Continue = l.Continue; opts.Continue == "" {
			return names, nil
		}
	}
}

// namespacesExist checks that each namespace an absent object goes into
// exists or is created by the app, so that a missing one fails the plan
// rather than the apply. It asks as plumb itself: an impersonated service
// account need not be allowed to read namespaces.
func (d *Driver) namespacesExist(ctx context.Context, p *prepared, absent map[ObjKey]bool, creates map[string]bool) error {
	need := map[string]bool{}
	for k := range absent {
		if k.Namespace != "" && !creates[k.Namespace] {
			need[k.Namespace] = true
		}
	}
	for ns := range need {
		_, err := d.meta.Resource(namespaces).Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace %q does not exist and the app does not create it (needed by %s)", ns, firstIn(p, absent, ns))
		}
		if err != nil {
			return fmt.Errorf("get namespace %s: %w", ns, err)
		}
	}
	return nil
}

func firstIn(p *prepared, absent map[ObjKey]bool, ns string) string {
	for _, o := range p.objs {
		if absent[o.key] && o.key.Namespace == ns {
			return o.key.String()
		}
	}
	return ns
}
