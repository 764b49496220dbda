package files

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"plumb.dev/plumb"
)

// Apply executes exactly the plan's actions. It first re-validates the whole
// plan (paths, ownership, that deletes name owned files) and applies nothing
// if any of it is refused. Then it records every path it will write in the
// app's inventory, writes each file atomically (temp file, fsync, rename),
// deletes what the plan prunes, removes directories the app created that
// became empty, and records exactly what the app now owns.
//
// A failed file is reported in its ActionResult and makes Apply return an
// error too; deletes are skipped once a write failed. After an Apply that
// changed something without error, the target's afterApply hook runs; its
// failure is an error of Apply. Applying a plan again is harmless: files
// already in place are not rewritten.
func (d *Driver) Apply(ctx context.Context, plan plumb.Plan) (plumb.Result, error) {
	app := plan.App.Name
	if err := checkApp(app); err != nil {
		return plumb.Result{}, fmt.Errorf("apply: %w", err)
	}
	res, changed, err := d.applyLocked(ctx, plan)
	if err != nil {
		return res, fmt.Errorf("apply app %q: %w", app, err)
	}
	if changed && d.afterApply != nil {
		run := d.runHook(ctx, "afterApply", d.afterApply, app, plan.Desired.Revision)
		res.Hooks = append(res.Hooks, run)
		if run.Error != "" {
			return res, fmt.Errorf("apply app %q: afterApply hook: %s", app, run.Error)
		}
	}
	return res, nil
}

// applyLocked runs the plan with the root locked, and wakes watchers after.
func (d *Driver) applyLocked(ctx context.Context, plan plumb.Plan) (plumb.Result, bool, error) {
	d.shared.mu.Lock()
	defer d.shared.notify()
	defer d.shared.mu.Unlock()
	t, err := d.open(true)
	if err != nil {
		return plumb.Result{}, false, err
	}
	defer t.close()
	j, err := prepare(t, plan)
	if err != nil {
		return plumb.Result{}, false, err
	}
	return j.run(ctx, t)
}

// job is a validated plan, ready to run.
type job struct {
	plan    plumb.Plan
	files   map[string]plumb.File
	inv     *inventory
	writes  []int // indexes into plan.Actions
	deletes []int
}

// prepare validates the whole plan against the tree; it writes nothing
// except removing leftover temp files.
func prepare(t tree, plan plumb.Plan) (*job, error) {
	app := plan.App.Name
	files, err := checkDesired(t, app, plan.Desired.Files)
	if err != nil {
		return nil, err
	}
	inv, err := readInventory(t, app)
	if err != nil {
		return nil, err
	}
	j := &job{plan: plan, files: files, inv: inv}
	if err := j.sort(); err != nil {
		return nil, err
	}
	if err := cleanTemps(t, inv); err != nil {
		return nil, err
	}
	return j, nil
}

// sort files the plan's actions into writes and deletes, refusing actions
// the plan cannot justify.
func (j *job) sort() error {
	app := j.plan.App.Name
	for i, a := range j.plan.Actions {
		switch a.Type {
		case plumb.ActionCreate, plumb.ActionUpdate:
			if _, ok := j.files[a.Object]; !ok {
				return &PathError{App: app, Source: "plan action", Path: a.Object, Err: fmt.Errorf("%s of a file that is not among the plan's desired files", a.Type)}
			}
			j.writes = append(j.writes, i)
		case plumb.ActionDelete:
			if !j.plan.Prune {
				return &PathError{App: app, Source: "plan action", Path: a.Object, Err: errors.New("delete in a plan made without prune")}
			}
			if j.inv.find(a.Object) == nil {
				return &PathError{App: app, Source: "plan action", Path: a.Object, Err: errors.New("delete of a file the app's inventory does not list; only owned files are deleted")}
			}
			j.deletes = append(j.deletes, i)
		case plumb.ActionUnchanged:
		default:
			return &PathError{App: app, Source: "plan action", Path: a.Object, Err: fmt.Errorf("unknown action type %q", a.Type)}
		}
	}
	return nil
}

func (j *job) paths(idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = j.plan.Actions[i].Object
	}
	return out
}

// run claims the paths, writes, deletes and records the outcome. It
// reports whether anything in the target changed.
func (j *job) run(ctx context.Context, t tree) (plumb.Result, bool, error) {
	res := plumb.Result{Actions: make([]plumb.ActionResult, len(j.plan.Actions))}
	for i, a := range j.plan.Actions {
		res.Actions[i].Action = a
	}
	if len(j.writes)+len(j.deletes) == 0 {
		return res, false, j.record(t)
	}
	if err := ctx.Err(); err != nil {
		return res, false, err
	}
	inv := j.claim(t)
	if err := writeInventory(t, inv); err != nil {
		for i := range res.Actions {
			if res.Actions[i].Changes() {
				res.Actions[i].Error = "not applied: " + err.Error()
			}
		}
		return res, false, err
	}
	hook("claimed", inventoryPath(inv.App))
	var errs []error
	fail := func(i int, err error) {
		res.Actions[i].Error = err.Error()
		errs = append(errs, err)
	}
	changed := j.runWrites(ctx, t, inv, fail)
	changed = j.runDeletes(ctx, t, inv, len(errs) > 0, fail) || changed
	inv.Dirs = sweepDirs(t, inv.Dirs)
	settlePending(t, inv)
	if len(errs) == 0 {
		inv.Revision = j.plan.Desired.Revision
	}
	if err := writeInventory(t, inv); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return res, changed, fmt.Errorf("%d of %d actions failed: %w", len(errs), len(j.writes)+len(j.deletes), errors.Join(errs...))
	}
	return res, changed, nil
}

// record notes the plan's revision in the inventory of an app whose plan
// changes nothing, so even an app with no files has an inventory.
func (j *job) record(t tree) error {
	rev := j.plan.Desired.Revision
	if j.inv.found && j.inv.Revision == rev {
		return nil
	}
	inv := j.inv.clone()
	inv.Revision = rev
	settlePending(t, inv)
	return writeInventory(t, inv)
}

// claim returns the inventory to record before touching anything: the old
// one plus every path about to be written (as pending) and every directory
// about to be created, so a crash at any point leaves nothing unowned.
func (j *job) claim(t tree) *inventory {
	inv := j.inv.clone()
	rev := j.plan.Desired.Revision
	var added []*entry
	for _, i := range j.writes {
		p := j.plan.Actions[i].Object
		rec := desiredState(j.files[p]).record(rev)
		if e := inv.find(p); e != nil {
			e.Pending = &rec
			continue
		}
		added = append(added, &entry{Path: p, Pending: &rec})
	}
	inv.Files = append(inv.Files, added...)
	inv.sortFiles()
	inv.Dirs = append(inv.Dirs, missingDirs(t, j.paths(j.writes))...)
	return inv
}

// missingDirs lists the parent directories of paths that do not exist yet.
func missingDirs(t tree, paths []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		elems := strings.Split(path.Dir(p), "/")
		if elems[0] == "." {
			continue
		}
		missing := false
		for i := range elems {
			dir := strings.Join(elems[:i+1], "/")
			if !missing {
				_, err := t.lstat(dir)
				missing = isNotExist(err)
			}
			if missing && !seen[dir] {
				seen[dir] = true
				out = append(out, dir)
			}
		}
	}
	return out
}

// runWrites writes the plan's creates and updates, settling each written
// path in inv.
func (j *job) runWrites(ctx context.Context, t tree, inv *inventory, fail func(int, error)) bool {
	changed := false
	for _, i := range j.writes {
		p := j.plan.Actions[i].Object
		if err := ctx.Err(); err != nil {
			fail(i, fmt.Errorf("write %q: not applied: %w", p, err))
			continue
		}
		wrote, err := writeFile(t, j.files[p])
		if err != nil {
			fail(i, err)
			continue
		}
		changed = changed || wrote
		e := inv.find(p)
		e.record, e.Pending = *e.Pending, nil
	}
	return changed
}

// runDeletes removes the files the plan prunes, dropping them from inv;
// after a failed write it skips them, so a half-applied app keeps its old
// files.
func (j *job) runDeletes(ctx context.Context, t tree, inv *inventory, skip bool, fail func(int, error)) bool {
	changed := false
	gone := map[string]bool{}
	for _, i := range j.deletes {
		p := j.plan.Actions[i].Object
		if skip {
			fail(i, fmt.Errorf("delete %q: skipped because a write failed", p))
			continue
		}
		if err := ctx.Err(); err != nil {
			fail(i, fmt.Errorf("delete %q: not applied: %w", p, err))
			continue
		}
		removed, err := removeFile(t, p)
		if err != nil {
			fail(i, err)
			continue
		}
		changed = changed || removed
		gone[p] = true
	}
	inv.Files = deleteEntries(inv.Files, gone)
	return changed
}

// writeFile makes the file in the target look like f, unless it already
// does; it reports whether it wrote.
func writeFile(t tree, f plumb.File) (bool, error) {
	want := desiredState(f)
	if l, err := readLive(t, f.Path); err == nil && l.exists && l.state.equal(want) {
		return false, nil
	}
	if dir := path.Dir(f.Path); dir != "." {
		if err := t.r.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("create directory %q for %q: %w", dir, f.Path, err)
		}
	}
	if want.isLink() {
		return true, writeLink(t, f.Path, string(f.Data))
	}
	return true, writeAtomic(t, f.Path, f.Data, want.mode)
}

// settlePending resolves records left pending by an earlier crash: a
// pending write that landed becomes the applied record, one that did not is
// dropped (entries never written at all are kept, still owned).
func settlePending(t tree, inv *inventory) {
	for _, e := range inv.Files {
		if e.Pending == nil {
			continue
		}
		l, err := readLive(t, e.Path)
		if err != nil {
			continue
		}
		if l.exists && l.state.equal(e.Pending.state()) {
			e.record, e.Pending = *e.Pending, nil
		} else if e.SHA256 != "" {
			e.Pending = nil
		}
	}
}
