package kubernetes

import (
	"context"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// hub shares one informer per resource among every watched app: each
// informer lists and watches all objects carrying the plumb.dev/app label
// and hands events to the app the label names. Thousands of apps cost one
// watch per resource, not one per app.
type hub struct {
	dyn       dynamic.Interface
	mu        sync.Mutex
	informers map[schema.GroupVersionResource]*sharedInformer
	subs      map[string]map[*subscription]bool
}

// sharedInformer is one resource's informer and the apps using it.
type sharedInformer struct {
	inf    cache.SharedIndexInformer
	cancel context.CancelFunc
	apps   map[string]int
}

// appIndex indexes informer objects by the app that owns them.
const appIndex = "app"

func newHub(dyn dynamic.Interface) *hub {
	return &hub{dyn: dyn, informers: map[schema.GroupVersionResource]*sharedInformer{}, subs: map[string]map[*subscription]bool{}}
}

// acquire makes sure an informer runs for gvr on behalf of app and
// returns it.
func (h *hub) acquire(gvr schema.GroupVersionResource, app string) cache.SharedIndexInformer {
	h.mu.Lock()
	defer h.mu.Unlock()
	si, ok := h.informers[gvr]
	if !ok {
		si = h.start(gvr)
		h.informers[gvr] = si
	}
	si.apps[app]++
	return si.inf
}

func (h *hub) start(gvr schema.GroupVersionResource) *sharedInformer {
	tweak := func(o *metav1.ListOptions) { o.LabelSelector = LabelApp }
	inf := dynamicinformer.NewFilteredDynamicInformer(h.dyn, gvr, metav1.NamespaceAll, 0,
		cache.Indexers{appIndex: indexByApp}, tweak).Informer()
	_ = inf.SetTransform(stripLastApplied)
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(old, new any) { h.dispatchUpdate(old, new) },
		DeleteFunc: func(obj any) { h.dispatchDelete(obj) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	go inf.RunWithContext(ctx)
	return &sharedInformer{inf: inf, cancel: cancel, apps: map[string]int{}}
}

// release drops app's use of gvr, stopping the informer when unused.
func (h *hub) release(gvr schema.GroupVersionResource, app string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	si, ok := h.informers[gvr]
	if !ok {
		return
	}
	if si.apps[app]--; si.apps[app] <= 0 {
		delete(si.apps, app)
	}
	if len(si.apps) == 0 {
		si.cancel()
		delete(h.informers, gvr)
	}
}

func indexByApp(obj any) ([]string, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil
	}
	return []string{u.GetLabels()[LabelApp]}, nil
}

// stripLastApplied drops kubectl's client-side apply annotation, which can
// double an object's size in memory and is never needed here.
func stripLastApplied(obj any) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		if a := u.GetAnnotations(); a != nil {
			if _, has := a[lastApplied]; has {
				delete(a, lastApplied)
				u.SetAnnotations(a)
			}
		}
	}
	return obj, nil
}

// cached returns app's objects of gvr in namespace ("" for all) from a
// synced informer; ok is false when no informer covers gvr for app.
func (h *hub) cached(gvr schema.GroupVersionResource, app, namespace string) ([]*unstructured.Unstructured, bool) {
	h.mu.Lock()
	si, ok := h.informers[gvr]
	covered := ok && si.apps[app] > 0
	h.mu.Unlock()
	if !covered || !si.inf.HasSynced() {
		return nil, false
	}
	items, err := si.inf.GetIndexer().ByIndex(appIndex, app)
	if err != nil {
		return nil, false
	}
	out := make([]*unstructured.Unstructured, 0, len(items))
	for _, it := range items {
		u, ok := it.(*unstructured.Unstructured)
		if ok && (namespace == "" || u.GetNamespace() == namespace) {
			out = append(out, u)
		}
	}
	return out, true
}

// covers reports whether a synced informer serves gvr for app.
func (h *hub) covers(gvr schema.GroupVersionResource, app string) bool {
	h.mu.Lock()
	si, ok := h.informers[gvr]
	covered := ok && si.apps[app] > 0
	h.mu.Unlock()
	return covered && si.inf.HasSynced()
}

// subscribe registers a subscription for events of its app.
func (h *hub) subscribe(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[s.app] == nil {
		h.subs[s.app] = map[*subscription]bool{}
	}
	h.subs[s.app][s] = true
}

func (h *hub) unsubscribe(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.app], s)
	if len(h.subs[s.app]) == 0 {
		delete(h.subs, s.app)
	}
}

// subscribers returns the subscriptions of app.
func (h *hub) subscribers(app string) []*subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*subscription, 0, len(h.subs[app]))
	for s := range h.subs[app] {
		out = append(out, s)
	}
	return out
}

// refresh tells app's watches that the kinds it owns may have changed.
func (h *hub) refresh(app string) {
	for _, s := range h.subscribers(app) {
		select {
		case s.refresh <- struct{}{}:
		default:
		}
	}
}

func (h *hub) dispatchUpdate(old, new any) {
	o, ok1 := old.(*unstructured.Unstructured)
	n, ok2 := new.(*unstructured.Unstructured)
	if !ok1 || !ok2 || o.GetResourceVersion() == n.GetResourceVersion() {
		return
	}
	for _, s := range h.subscribers(n.GetLabels()[LabelApp]) {
		s.onUpdate(o, n)
	}
}

func (h *hub) dispatchDelete(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	for _, s := range h.subscribers(u.GetLabels()[LabelApp]) {
		s.onDelete(u)
	}
}
