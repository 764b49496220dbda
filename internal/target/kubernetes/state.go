package kubernetes

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"plumb.dev/plumb"
)

// appState is what the driver remembers about one app between calls, so
// that a re-sync with nothing changed costs no API call.
type appState struct {
	mu sync.Mutex
	// inv is the inventory as last read or written; nil when unknown.
	inv Inventory
	// synced is the set hash (and prune flag) of the last apply that left
	// the target exactly as desired, "" when there is none.
	synced string
	// watched is set while a Watch covers every kind the app owns and
	// was running when synced was recorded.
	watched bool
	// seen maps objects to the resourceVersion at which plumb knew them to
	// match desired: what it wrote, or what a dry-run found unchanged.
	seen map[ObjKey]string
	// inflight counts plumb's own writes in progress per object, so that
	// the watcher does not report them as drift.
	inflight map[ObjKey]int
	// last is the plan most recently computed, reused by Apply.
	last *planState
	// deleted holds objects plumb deleted (prune or recreate) and when.
	deleted map[ObjKey]time.Time
	// written holds what plumb's last write of each object produced, until
	// an informer sees that object deleted: a cached copy older than it
	// (or missing) lags plumb's own write and is not trusted.
	written map[ObjKey]version
}

// version identifies one state of an object that generation orders:
// the same object (uid) at a spec generation.
type version struct {
	uid types.UID
	gen int64
}

// state returns the remembered state of app, creating it.
func (d *Driver) state(app string) *appState {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.apps[app]
	if !ok {
		st = &appState{seen: map[ObjKey]string{}, inflight: map[ObjKey]int{}, written: map[ObjKey]version{}}
		d.apps[app] = st
	}
	return st
}

// syncKey is what a clean sync is remembered by.
func syncKey(setHash string, prune bool) string {
	if prune {
		return setHash + "+prune"
	}
	return setHash
}

// markDirty forgets that the app is in sync: a live change was seen.
func (st *appState) markDirty() {
	st.mu.Lock()
	st.synced = ""
	st.mu.Unlock()
}

// upToDate reports whether a plan for key can be answered from memory:
// the last apply left the target as desired, a watch has covered the app
// since, and it saw no change.
func (st *appState) upToDate(key string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.synced != "" && st.synced == key && st.watched && st.inv != nil
}

// inSync reports whether the last plan or apply left the target as
// desired and no live change was seen since.
func (st *appState) inSync() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.synced != ""
}

// noopPlan is the plan for an app known to be in sync.
func noopPlan(app plumb.AppRef, desired plumb.Desired, prune bool, p *prepared) plumb.Plan {
	plan := plumb.Plan{App: app, Desired: desired, Prune: prune, Actions: make([]plumb.Action, 0, len(p.objs))}
	for _, o := range p.objs {
		plan.Actions = append(plan.Actions, plumb.Action{Type: plumb.ActionUnchanged, Object: o.key.String(), Reason: plumb.ReasonUpToDate})
	}
	return plan
}

// beginWrite and endWrite bracket one of plumb's own writes to key; rv is
// the resourceVersion the write produced ("" for none or a delete).
func (st *appState) beginWrite(key ObjKey) {
	st.mu.Lock()
	st.inflight[key]++
	st.mu.Unlock()
}

func (st *appState) endWrite(key ObjKey, rv string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if rv != "" {
		st.seen[key] = rv
	} else {
		delete(st.seen, key)
	}
	if st.inflight[key]--; st.inflight[key] <= 0 {
		delete(st.inflight, key)
	}
}

// ours reports whether an event at rv on key came from plumb itself.
func (st *appState) ours(key ObjKey, rv string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.inflight[key] > 0 || (rv != "" && st.seen[key] == rv)
}

// seenAt reports whether key was known to match desired at rv.
func (st *appState) seenAt(key ObjKey, rv string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return rv != "" && st.seen[key] == rv
}

// see records that key matched desired at rv.
func (st *appState) see(key ObjKey, rv string) {
	st.mu.Lock()
	st.seen[key] = rv
	st.mu.Unlock()
}

// seenVersion returns the version at which key was known to match desired.
func (st *appState) seenVersion(key ObjKey) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.seen[key]
}

// wrote records the object plumb's write of key produced.
func (st *appState) wrote(key ObjKey, u *unstructured.Unstructured) {
	st.mu.Lock()
	st.written[key] = version{uid: u.GetUID(), gen: u.GetGeneration()}
	st.mu.Unlock()
}

// forget drops the record of plumb's last write of key: plumb deletes it.
func (st *appState) forget(key ObjKey) {
	st.mu.Lock()
	delete(st.written, key)
	st.mu.Unlock()
}

// gone drops the record of plumb's last write of key when an informer saw
// that very object (uid) deleted; a late event for an older object plumb
// has since replaced leaves it.
func (st *appState) gone(key ObjKey, uid types.UID) {
	st.mu.Lock()
	if v, ok := st.written[key]; ok && v.uid == uid {
		delete(st.written, key)
	}
	st.mu.Unlock()
}

// behind reports whether a cached copy of key (nil when the cache has
// none) may predate plumb's last write of it: the cache lacks the object
// plumb wrote, or holds another one, or an older generation of it.
func (st *appState) behind(key ObjKey, cached *unstructured.Unstructured) bool {
	st.mu.Lock()
	v, ok := st.written[key]
	st.mu.Unlock()
	switch {
	case !ok:
		return false
	case cached == nil || cached.GetUID() != v.uid:
		return true
	}
	return cached.GetGeneration() < v.gen
}

// forgetGone is the hub's report of an object deleted (or relabeled) in
// the cluster; app is the app its label named.
func (d *Driver) forgetGone(app string, u *unstructured.Unstructured) {
	d.mu.Lock()
	st := d.apps[app]
	d.mu.Unlock()
	if st != nil {
		st.gone(KeyOf(u), u.GetUID())
	}
}
