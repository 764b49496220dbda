package files

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"plumb.dev/plumb"
)

// Debouncing of filesystem events: a check runs debounceQuiet after the
// last event of a burst, and at most debounceMax after its first.
const (
	debounceQuiet = 100 * time.Millisecond
	debounceMax   = 500 * time.Millisecond
)

// Watch reports drift of the files the app owns until ctx is done, then
// returns nil. It watches the directories holding owned files with
// fsnotify (adding them as they appear) and re-checks every owned file each
// CheckInterval as a backstop. A file counts as drifted when its live
// content, mode or type differs from what the app's inventory says was last
// applied, so the driver's own Apply is never reported. Drift that exists
// when Watch starts is reported too; each distinct drift of a file is
// reported once. If the whole root disappears, the files last known to be
// owned are reported deleted.
func (d *Driver) Watch(ctx context.Context, app plumb.AppRef, changed func(plumb.Drift)) error {
	if err := checkApp(app.Name); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	fw, err := d.shared.events.subscribe()
	if err != nil {
		return fmt.Errorf("watch app %q: %w", app.Name, err)
	}
	defer fw.Close()
	w := &watcher{
		d: d, app: app.Name, fw: fw, changed: changed,
		watched: map[string]bool{}, owned: map[string]bool{}, parents: map[string]bool{}, reported: map[string]string{},
	}
	return w.run(ctx)
}

// watcher is the state of one Watch call.
type watcher struct {
	d       *Driver
	app     string
	fw      *subscription
	changed func(plumb.Drift)

	base     string          // the root's real path, as given to fsnotify
	watched  map[string]bool // absolute directories under watch
	last     *inventory      // the app's inventory at the last check
	owned    map[string]bool // its paths
	parents  map[string]bool // their parent directories, "." included
	reported map[string]string
}

// pending is the work a burst of events left for the next check.
type pending struct {
	all   bool
	dirty map[string]bool
}

func (p *pending) mark(rel string) {
	if p.dirty == nil {
		p.dirty = map[string]bool{}
	}
	p.dirty[rel] = true
}

func (w *watcher) run(ctx context.Context) error {
	applied := w.d.shared.changed()
	w.sync(ctx, pending{all: true})
	tick := time.NewTicker(w.d.checkInterval)
	defer tick.Stop()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var work pending
	var first time.Time
	arm := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		timer.Reset(min(debounceQuiet, max(debounceMax-now.Sub(first), 0)))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fw.Events:
			if !ok {
				return fmt.Errorf("watch app %q: file events closed", w.app)
			}
			if w.note(ev, &work) {
				arm()
			}
		case _, ok := <-w.fw.Errors:
			if !ok {
				return fmt.Errorf("watch app %q: file events closed", w.app)
			}
			work.all = true // e.g. an overflow: events were lost
			arm()
		case <-applied:
			applied = w.d.shared.changed()
			work.all = true
			arm()
		case <-tick.C:
			clear(w.watched) // re-add every watch, in case one was lost
			w.sync(ctx, pending{all: true})
		case <-timer.C:
			w.sync(ctx, work)
			work, first = pending{}, time.Time{}
		}
	}
}

// note records an event in work and reports whether it matters to the app.
func (w *watcher) note(ev fsnotify.Event, work *pending) bool {
	rel, ok := w.rel(ev.Name)
	switch {
	case !ok:
		return false
	case rel == "." || rel == inventoryDir || rel == inventoryPath(w.app):
		delete(w.watched, ev.Name)
		work.all = true
	case w.parents[rel]:
		delete(w.watched, ev.Name) // created or removed: add it again
		work.mark(rel)
	case w.owned[rel]:
		work.mark(rel)
	default:
		return false
	}
	return true
}

// rel turns an event's absolute path into a path relative to the root.
func (w *watcher) rel(name string) (string, bool) {
	if w.base == "" {
		return "", false
	}
	if name == w.base {
		return ".", true
	}
	rel, ok := strings.CutPrefix(name, w.base+"/")
	return rel, ok
}

// sync refreshes the watches, checks what work names and reports drift.
func (w *watcher) sync(ctx context.Context, work pending) {
	w.rewatch()
	drifts := w.check(work)
	w.rewatch()
	for _, d := range drifts {
		if ctx.Err() != nil {
			return
		}
		w.changed(d)
	}
}

// check compares the owned files work names with the inventory, under the
// root's read lock so that it never sees an Apply half done.
func (w *watcher) check(work pending) []plumb.Drift {
	w.d.shared.mu.RLock()
	defer w.d.shared.mu.RUnlock()
	t, err := w.d.open(false)
	if err != nil || !t.exists() {
		return w.compare(tree{}, w.last, pending{all: true}) // the root is gone
	}
	defer t.close()
	inv, err := readInventory(t, w.app)
	if err != nil {
		return nil // Plan reports a broken inventory; nothing here to trust
	}
	w.remember(inv)
	return w.compare(t, inv, work)
}

// compare reports each owned file in work whose live state is not the one
// last applied, once per distinct live state.
func (w *watcher) compare(t tree, inv *inventory, work pending) []plumb.Drift {
	if inv == nil {
		return nil
	}
	var out []plumb.Drift
	for _, e := range inv.Files {
		if !work.all && !isDirty(e.Path, work.dirty) {
			continue
		}
		l, err := readLive(t, e.Path)
		if err != nil {
			out = w.report(out, e.Path, "error:"+err.Error(), "cannot be read: "+err.Error())
			continue
		}
		exp := e.expected(l)
		if exp == nil || (l.exists && l.state.equal(*exp)) {
			delete(w.reported, e.Path)
			continue
		}
		out = w.report(out, e.Path, fmt.Sprint(l.exists, l.hash, uint32(l.mode)), driftDetail(*exp, l))
	}
	return out
}

// report adds a drift unless this live state of p was reported already.
func (w *watcher) report(out []plumb.Drift, p, key, detail string) []plumb.Drift {
	if w.reported[p] == key {
		return out
	}
	w.reported[p] = key
	return append(out, plumb.Drift{Object: p, Detail: detail})
}

// remember keeps the inventory and the paths and directories it names.
func (w *watcher) remember(inv *inventory) {
	w.last = inv
	clear(w.owned)
	clear(w.parents)
	w.parents["."] = true
	for _, e := range inv.Files {
		w.owned[e.Path] = true
		for dir := path.Dir(e.Path); dir != "."; dir = path.Dir(dir) {
			w.parents[dir] = true
		}
	}
	for p := range w.reported {
		if !w.owned[p] {
			delete(w.reported, p)
		}
	}
}

// rewatch watches the root, .plumb/ and every parent of an owned file
// that exists, and unwatches directories no longer needed.
func (w *watcher) rewatch() {
	base, err := filepath.EvalSymlinks(w.d.root)
	if err != nil {
		base = ""
	}
	if base != w.base {
		for abs := range w.watched {
			_ = w.fw.Remove(abs)
		}
		clear(w.watched)
		w.base = base
	}
	if base == "" {
		return
	}
	want := map[string]bool{filepath.Join(base, inventoryDir): true}
	for dir := range w.parents {
		want[filepath.Join(base, dir)] = true
	}
	want[base] = true
	for abs := range want {
		if !w.watched[abs] && w.fw.Add(abs) == nil {
			w.watched[abs] = true
		}
	}
	for abs := range w.watched {
		if !want[abs] {
			_ = w.fw.Remove(abs)
			delete(w.watched, abs)
		}
	}
}

// isDirty reports whether p or one of its parents is in dirty.
func isDirty(p string, dirty map[string]bool) bool {
	for ; p != "."; p = path.Dir(p) {
		if dirty[p] {
			return true
		}
	}
	return false
}
