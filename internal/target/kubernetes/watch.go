package kubernetes

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"plumb.dev/plumb"
)

// driftBuffer is how many drifts wait for a slow callback before more are
// dropped (the app is marked out of sync either way).
const driftBuffer = 256

// subscription is one Watch call's interest in one app.
type subscription struct {
	app     string
	st      *appState
	drifts  chan plumb.Drift
	refresh chan struct{}
}

// Watch reports live changes to the objects app owns until ctx is done:
// an out-of-band edit (naming the manager and the fields) or a deletion.
// plumb's own writes are not reported. It shares one informer per kind
// among all watched apps, and follows the kinds the app owns as applies
// change them.
func (d *Driver) Watch(ctx context.Context, app plumb.AppRef, changed func(plumb.Drift)) error {
	st := d.state(app.Name)
	s := &subscription{app: app.Name, st: st, drifts: make(chan plumb.Drift, driftBuffer), refresh: make(chan struct{}, 1)}
	d.hub.subscribe(s)
	defer d.hub.unsubscribe(s)
	held := map[schema.GroupVersionResource]bool{}
	defer func() {
		for gvr := range held {
			d.hub.release(gvr, app.Name)
		}
		st.mu.Lock()
		st.watched = false
		st.mu.Unlock()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { defer wg.Done(); s.deliver(ctx, changed) }()
	if err := d.follow(ctx, app.Name, st, held); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("watch %s: %w", app.Name, err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.refresh:
			if err := d.follow(ctx, app.Name, st, held); err != nil && ctx.Err() == nil {
				return fmt.Errorf("watch %s: %w", app.Name, err)
			}
		}
	}
}

// deliver calls changed for each drift, off the shared informer threads.
func (s *subscription) deliver(ctx context.Context, changed func(plumb.Drift)) {
	for {
		select {
		case <-ctx.Done():
			return
		case dr := <-s.drifts:
			changed(dr)
		}
	}
}

// follow makes sure informers cover every kind app's inventory holds and
// waits for them to sync. A newly covered kind may hide changes made
// before its informer listed, so the app is then marked out of sync.
func (d *Driver) follow(ctx context.Context, app string, st *appState, held map[schema.GroupVersionResource]bool) error {
	inv, err := d.inventory(ctx, app, st)
	if err != nil {
		return err
	}
	var fresh []cache.InformerSynced
	for _, e := range inv {
		t, ok, err := d.entryType(e)
		if err != nil {
			return err
		}
		if !ok || held[t.gvr] {
			continue
		}
		held[t.gvr] = true
		fresh = append(fresh, d.hub.acquire(t.gvr, app).HasSynced)
	}
	st.mu.Lock()
	first := !st.watched
	st.watched = false
	st.mu.Unlock()
	if !cache.WaitForCacheSync(ctx.Done(), fresh...) {
		return ctx.Err()
	}
	st.mu.Lock()
	st.watched = true
	if first || len(fresh) > 0 {
		st.synced = ""
	}
	st.mu.Unlock()
	return nil
}

// onUpdate reports an update that took fields plumb applied away from it.
func (s *subscription) onUpdate(old, new *unstructured.Unstructured) {
	key := KeyOf(new)
	if s.st.ours(key, new.GetResourceVersion()) || !s.st.owns(key) {
		return
	}
	cs, err := Attribute(old, new)
	if err != nil || len(cs) == 0 {
		return
	}
	s.report(plumb.Drift{Object: key.String(), Detail: describeChanges(cs)})
}

// onDelete reports the deletion of an owned object plumb did not delete.
func (s *subscription) onDelete(u *unstructured.Unstructured) {
	key := KeyOf(u)
	if s.st.ours(key, "") || s.st.deletedByPlumb(key) || !s.st.owns(key) {
		return
	}
	s.report(plumb.Drift{Object: key.String(), Detail: "deleted from the target, or its " + LabelApp + " label removed"})
}

func (s *subscription) report(dr plumb.Drift) {
	s.st.markDirty()
	select {
	case s.drifts <- dr:
	default:
	}
}

// owns reports whether the app's inventory holds key (true when unknown).
func (st *appState) owns(key ObjKey) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.inv == nil {
		return true
	}
	_, ok := st.inv[key]
	return ok
}

// deletedTTL is how long plumb's own deletion of an object explains a
// delete event for it.
const deletedTTL = 5 * time.Minute

// noteDelete records that plumb deletes key.
func (st *appState) noteDelete(key ObjKey) {
	st.mu.Lock()
	if st.deleted == nil {
		st.deleted = map[ObjKey]time.Time{}
	}
	st.deleted[key] = time.Now()
	st.mu.Unlock()
}

// deletedByPlumb reports (once) whether plumb recently deleted key.
func (st *appState) deletedByPlumb(key ObjKey) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.deleted[key]
	if !ok {
		return false
	}
	delete(st.deleted, key)
	return time.Since(t) < deletedTTL
}
