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
//
// Its caches also answer reads (plans, health) for every app, watched or
// not, since each informer holds every labeled object of its resource:
// see lookup for when a cache is trusted.
type hub struct {
	dyn dynamic.Interface
	// gone is told of every object an informer sees deleted (or losing
	// its label), whichever app it belongs to.
	gone      func(app string, u *unstructured.Unstructured)
	mu        sync.Mutex
	informers map[schema.GroupVersionResource]*sharedInformer
	subs      map[string]map[*subscription]bool
}

// sharedInformer is one resource's informer and the apps using it.
type sharedInformer struct {
	inf    cache.SharedIndexInformer
	cancel context.CancelFunc
	apps   map[string]int

	mu sync.Mutex
	// broken is set when the informer's list or watch failed; brokenAt is
	// the resourceVersion it had then. It is trusted again once it lists
	// or watches past that version.
	broken   bool
	brokenAt string
}

// appIndex indexes informer objects by the app that owns them.
const appIndex = "app"

func newHub(dyn dynamic.Interface, gone func(app string, u *unstructured.Unstructured)) *hub {
	return &hub{dyn: dyn, gone: gone, informers: map[schema.GroupVersionResource]*sharedInformer{}, subs: map[string]map[*subscription]bool{}}
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
	si := &sharedInformer{inf: inf, apps: map[string]int{}}
	_ = inf.SetTransform(stripLastApplied)
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		si.breakAt(r.LastSyncResourceVersion())
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(old, new any) { h.dispatchUpdate(old, new) },
		DeleteFunc: func(obj any) { h.dispatchDelete(obj) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	si.cancel = cancel
	go inf.RunWithContext(ctx)
	return si
}

// breakAt marks the informer's cache untrusted: its list or watch failed
// at resourceVersion rv, so it may miss changes until it recovers.
func (si *sharedInformer) breakAt(rv string) {
	si.mu.Lock()
	si.broken, si.brokenAt = true, rv
	si.mu.Unlock()
}

// trusted reports whether the cache can answer reads: it has synced, and
// it has listed or watched past any failure since.
func (si *sharedInformer) trusted() bool {
	if !si.inf.HasSynced() {
		return false
	}
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.broken && si.inf.LastSyncResourceVersion() != si.brokenAt {
		si.broken = false
	}
	return !si.broken
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

// lookup returns the cache of gvr when one can answer reads: an informer
// runs for gvr (for any app: it holds every app's objects), has synced,
// and its watch is not failing. The cache lags the API server by the
// informer's event delay; readers that must see plumb's own writes check
// it against them (see appState.behind).
func (h *hub) lookup(gvr schema.GroupVersionResource) (cache.Indexer, bool) {
	h.mu.Lock()
	si, ok := h.informers[gvr]
	h.mu.Unlock()
	if !ok || !si.trusted() {
		return nil, false
	}
	return si.inf.GetIndexer(), true
}

// cached returns app's objects of gvr in namespace ("" for all) from a
// trusted cache; ok is false when no informer serves gvr.
func (h *hub) cached(gvr schema.GroupVersionResource, app, namespace string) ([]*unstructured.Unstructured, bool) {
	idx, ok := h.lookup(gvr)
	if !ok {
		return nil, false
	}
	items, err := idx.ByIndex(appIndex, app)
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

// serves reports whether a trusted cache serves gvr.
func (h *hub) serves(gvr schema.GroupVersionResource) bool {
	_, ok := h.lookup(gvr)
	return ok
}

// cachedObject returns the object key names from idx when app owns it
// (carries its label), else nil.
func cachedObject(idx cache.Indexer, key ObjKey, app string) *unstructured.Unstructured {
	name := key.Name
	if key.Namespace != "" {
		name = key.Namespace + "/" + key.Name
	}
	it, ok, err := idx.GetByKey(name)
	if err != nil || !ok {
		return nil
	}
	u, ok := it.(*unstructured.Unstructured)
	if !ok || u.GetLabels()[LabelApp] != app {
		return nil
	}
	return u
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
	if was := o.GetLabels()[LabelApp]; was != n.GetLabels()[LabelApp] && h.gone != nil {
		h.gone(was, o) // relabeled to another app: gone from this one
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
	app := u.GetLabels()[LabelApp]
	if h.gone != nil {
		h.gone(app, u)
	}
	for _, s := range h.subscribers(app) {
		s.onDelete(u)
	}
}
