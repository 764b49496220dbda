package files

import (
	"context"
	"errors"
	"fmt"

	"plumb.dev/plumb"
)

// Delete removes every file the app's inventory owns, the directories it
// created once empty, and then the inventory itself (used when an App with
// prune is removed from config). Paths are re-validated first; if any is
// refused nothing is deleted. Files that cannot be deleted stay in the
// inventory and make Delete fail. When something was removed, the target's
// afterApply hook runs, as after an Apply.
func (d *Driver) Delete(ctx context.Context, app plumb.AppRef) (plumb.Result, error) {
	if err := checkApp(app.Name); err != nil {
		return plumb.Result{}, fmt.Errorf("delete: %w", err)
	}
	res, changed, err := d.deleteLocked(ctx, app.Name)
	if err != nil {
		return res, fmt.Errorf("delete app %q: %w", app.Name, err)
	}
	if changed && d.afterApply != nil {
		run := d.runHook(ctx, "afterApply", d.afterApply, app.Name, "")
		res.Hooks = append(res.Hooks, run)
		if run.Error != "" {
			return res, fmt.Errorf("delete app %q: afterApply hook: %s", app.Name, run.Error)
		}
	}
	return res, nil
}

func (d *Driver) deleteLocked(ctx context.Context, app string) (plumb.Result, bool, error) {
	d.shared.mu.Lock()
	defer d.shared.notify()
	defer d.shared.mu.Unlock()
	t, err := d.open(false)
	if err != nil || !t.exists() {
		return plumb.Result{}, false, err
	}
	defer t.close()
	inv, err := readInventory(t, app)
	if err != nil {
		return plumb.Result{}, false, err
	}
	if err := cleanTemps(t, inv); err != nil {
		return plumb.Result{}, false, err
	}
	return deleteAll(ctx, t, inv)
}

// deleteAll removes the inventory's files, then its directories and the
// inventory, keeping in it whatever could not be removed.
func deleteAll(ctx context.Context, t tree, inv *inventory) (plumb.Result, bool, error) {
	var res plumb.Result
	var errs []error
	changed := false
	gone := map[string]bool{}
	for _, e := range inv.Files {
		ar := plumb.ActionResult{Action: plumb.Action{Type: plumb.ActionDelete, Object: e.Path, Reason: plumb.ReasonAppRemoved}}
		removed, err := removeFile(t, e.Path)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			ar.Error = err.Error()
			errs = append(errs, err)
		} else {
			gone[e.Path] = true
		}
		changed = changed || removed
		res.Actions = append(res.Actions, ar)
	}
	inv.Files = deleteEntries(inv.Files, gone)
	inv.Dirs = sweepDirs(t, inv.Dirs)
	if len(errs) > 0 {
		if err := writeInventory(t, inv); err != nil {
			errs = append(errs, err)
		}
		return res, changed, fmt.Errorf("%d of %d files not deleted: %w", len(inv.Files), len(res.Actions), errors.Join(errs...))
	}
	return res, changed, removeInventory(t, inv.App)
}
