package kubernetes

import (
	"context"

	"plumb.dev/plumb"
)

// observe returns the live objects of app's inventory entries (a missing
// object has no entry), as health sees them.
//
// An entry is read from the shared informers' cache when a trusted one
// serves its kind (hub.lookup), whichever app started it, and the cache
// has caught up with plumb's own last write of the object (appState.behind:
// same uid, generation at least the one written). Everything else — kinds
// no informer serves, caches not yet synced or whose watch is failing,
// copies that lag plumb's write — is listed from the API server, once per
// resource and namespace.
//
// Staleness: the informers run without resync (a resync replays the cache
// and fetches nothing) and relist by themselves after a broken watch, so
// a cached copy lags the API server by the watch's event delay only.
// Changes made by others (a controller updating status, kubectl deleting
// an object) show as soon as the informer sees them, which is when the
// app's Watch reports them as drift; plumb's own writes are never read
// back older than written. A status change that bumps no generation can
// be a few milliseconds late, like any watch.
func (d *Driver) observe(ctx context.Context, app plumb.AppRef, st *appState, inv Inventory) (liveSet, error) {
	out := liveSet{}
	rest := map[ObjKey]typeInfo{}
	for k, e := range inv {
		t, ok, err := d.entryType(e)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // the cluster no longer serves the kind: missing
		}
		idx, ok := d.hub.lookup(t.gvr)
		if !ok {
			rest[k] = t
			continue
		}
		u := cachedObject(idx, k, app.Name)
		if st.behind(k, u) {
			rest[k] = t
			continue
		}
		if u != nil {
			out[k] = u
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	cl, err := d.clientFor(app)
	if err != nil {
		return nil, err
	}
	listed, err := d.gather(ctx, cl, app.Name, scopesOf(nil, rest), false)
	if err != nil {
		return nil, err
	}
	for k := range rest {
		if u := listed[k]; u != nil {
			out[k] = u
		}
	}
	return out, nil
}
