package kubernetes

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// liveSet is the live state of the objects an app owns, by key.
type liveSet map[ObjKey]*unstructured.Unstructured

// scope is one list call: a resource, in one namespace or cluster-wide.
type scope struct {
	gvr       schema.GroupVersionResource
	namespace string
}

// entryType resolves an inventory entry's kind; ok is false when the
// cluster no longer serves it (its objects are gone with it).
func (d *Driver) entryType(e Entry) (typeInfo, bool, error) {
	gvk := e.GVK()
	if t, ok := d.cachedType(gvk); ok {
		return t, true, nil
	}
	m, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		return typeInfo{}, false, nil
	}
	if err != nil {
		return typeInfo{}, false, fmt.Errorf("discover %s for %s: %w", gvk, e.Key(), err)
	}
	t := typeInfo{gvr: m.Resource, namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}
	d.mu.Lock()
	d.types[gvk] = t
	d.mu.Unlock()
	return t, true, nil
}

// scopesOf returns the list calls that cover objs and the typed entries.
func scopesOf(objs []*desiredObj, entries map[ObjKey]typeInfo) []scope {
	seen := map[scope]bool{}
	var out []scope
	add := func(t typeInfo, ns string) {
		if t.pending {
			return
		}
		s := scope{gvr: t.gvr}
		if t.namespaced {
			s.namespace = ns
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, o := range objs {
		add(o.typ, o.key.Namespace)
	}
	for k, t := range entries {
		add(t, k.Namespace)
	}
	return out
}

// live returns the objects labeled for app in scopes, from the shared
// informers when they serve a resource, otherwise by listing.
func (d *Driver) live(ctx context.Context, cl dynamic.Interface, app string, scopes []scope) (liveSet, error) {
	return d.gather(ctx, cl, app, scopes, true)
}

// gather lists the objects labeled for app in scopes, from the shared
// informers when cached is set and they serve a resource.
func (d *Driver) gather(ctx context.Context, cl dynamic.Interface, app string, scopes []scope, cached bool) (liveSet, error) {
	out := liveSet{}
	var mu sync.Mutex
	errs := forEach(ctx, len(scopes), d.concurrency, func(ctx context.Context, i int) error {
		var items []*unstructured.Unstructured
		var err error
		if cached {
			items, err = d.listScope(ctx, cl, app, scopes[i])
		} else {
			items, err = listLive(ctx, cl, app, scopes[i])
		}
		if err != nil {
			return err
		}
		mu.Lock()
		for _, u := range items {
			out[KeyOf(u)] = u
		}
		mu.Unlock()
		return nil
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	return out, nil
}

func (d *Driver) listScope(ctx context.Context, cl dynamic.Interface, app string, s scope) ([]*unstructured.Unstructured, error) {
	if items, ok := d.hub.cached(s.gvr, app, s.namespace); ok {
		return items, nil
	}
	return listLive(ctx, cl, app, s)
}

// listLive lists the objects labeled for app in one scope from the API
// server.
func listLive(ctx context.Context, cl dynamic.Interface, app string, s scope) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	opts := metav1.ListOptions{LabelSelector: LabelApp + "=" + app, Limit: 500}
	for {
		l, err := cl.Resource(s.gvr).Namespace(s.namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list %s in %q: %w", s.gvr.Resource, s.namespace, err)
		}
		for i := range l.Items {
			u := l.Items[i]
			if u.GetKind() == "" {
				u.SetAPIVersion(s.gvr.GroupVersion().String())
				u.SetKind(listKind(l.GetKind()))
			}
			out = append(out, &u)
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}

// listKind turns "ConfigMapList" into "ConfigMap".
func listKind(k string) string {
	if len(k) > 4 && k[len(k)-4:] == "List" {
		return k[:len(k)-4]
	}
	return k
}
