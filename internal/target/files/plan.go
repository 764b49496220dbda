package files

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"plumb.dev/plumb"
)

// Plan diffs the app's desired files against the root: one action per
// desired file and per file the app's inventory owns, sorted by path, each
// with its reason and, when it changes something, a diff from live to
// desired. With prune, owned files no longer desired are deleted; without,
// they are kept (ReasonPruneDisabled). Plan refuses the whole desired state
// if any path is unsafe or owned by another app. It removes temp files a
// crashed Apply left behind, and changes nothing else.
func (d *Driver) Plan(ctx context.Context, app plumb.AppRef, desired plumb.Desired, prune bool) (plumb.Plan, error) {
	if err := checkApp(app.Name); err != nil {
		return plumb.Plan{}, fmt.Errorf("plan: %w", err)
	}
	d.shared.mu.Lock()
	defer d.shared.mu.Unlock()
	t, err := d.open(false)
	if err != nil {
		return plumb.Plan{}, fmt.Errorf("plan app %q: %w", app.Name, err)
	}
	defer t.close()
	actions, err := planTree(ctx, t, app.Name, desired, prune)
	if err != nil {
		return plumb.Plan{}, fmt.Errorf("plan app %q: %w", app.Name, err)
	}
	return plumb.Plan{App: app, Desired: desired, Actions: actions, Prune: prune}, nil
}

// planTree validates desired and the app's inventory, then plans.
func planTree(ctx context.Context, t tree, app string, desired plumb.Desired, prune bool) ([]plumb.Action, error) {
	want, err := checkDesired(t, app, desired.Files)
	if err != nil {
		return nil, err
	}
	inv, err := readInventory(t, app)
	if err != nil {
		return nil, err
	}
	if err := cleanTemps(t, inv); err != nil {
		return nil, err
	}
	return planActions(ctx, t, want, inv, prune)
}

// planActions builds the sorted actions for the desired files and the
// owned files no longer desired.
func planActions(ctx context.Context, t tree, want map[string]plumb.File, inv *inventory, prune bool) ([]plumb.Action, error) {
	var actions []plumb.Action
	for _, p := range sortedKeys(want) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l, err := readLive(t, p)
		if err != nil {
			return nil, err
		}
		actions = append(actions, planFile(want[p], l, inv.find(p)))
	}
	for _, e := range inv.Files {
		if _, ok := want[e.Path]; ok {
			continue
		}
		l, err := readLive(t, e.Path)
		if err != nil {
			return nil, err
		}
		actions = append(actions, planRemoval(e.Path, l, prune))
	}
	slices.SortFunc(actions, func(a, b plumb.Action) int { return strings.Compare(a.Object, b.Object) })
	return actions, nil
}

// planFile decides what to do about one desired file, given the live file
// and the app's inventory entry for it (nil when it owns none).
func planFile(f plumb.File, l live, e *entry) plumb.Action {
	want := desiredState(f)
	a := plumb.Action{Object: f.Path}
	var exp *state
	if e != nil {
		exp = e.expected(l)
	}
	switch {
	case exp == nil:
		a.Type, a.Reason = plumb.ActionCreate, plumb.ReasonAddedInGit
		if l.exists {
			a.Detail = "replaces a file no app owned"
			if l.state.equal(want) {
				a.Detail = "already in place; plumb takes ownership"
			}
		}
	case !l.exists:
		a.Type, a.Reason, a.Detail = plumb.ActionCreate, plumb.ReasonMissingLive, "deleted in target"
		if !exp.equal(want) {
			a.Detail += "; also changed in Git"
		}
	case !want.equal(*exp):
		a.Type, a.Reason, a.Detail = plumb.ActionUpdate, plumb.ReasonChangedInGit, changeDetail(*exp, want)
		switch {
		case l.state.equal(want):
			a.Detail += "; the target already matches"
		case !l.state.equal(*exp):
			a.Detail += "; also drifted in target: " + driftDetail(*exp, l)
		}
	case !l.state.equal(*exp):
		a.Type, a.Reason, a.Detail = plumb.ActionUpdate, plumb.ReasonDrifted, driftDetail(*exp, l)
	default:
		a.Type, a.Reason = plumb.ActionUnchanged, plumb.ReasonUpToDate
	}
	if a.Changes() {
		a.Diff = unifiedDiff(f.Path, liveSide(l), wantSide(want, f.Data))
	}
	return a
}

// planRemoval decides what to do about an owned file no longer desired.
func planRemoval(p string, l live, prune bool) plumb.Action {
	a := plumb.Action{Object: p, Type: plumb.ActionUnchanged, Reason: plumb.ReasonPruneDisabled}
	if !l.exists {
		a.Detail = "already missing in target"
	}
	if prune {
		a.Type, a.Reason = plumb.ActionDelete, plumb.ReasonRemovedInGit
		if l.exists {
			a.Diff = unifiedDiff(p, liveSide(l), side{})
		}
	}
	return a
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
