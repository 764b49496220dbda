package kubernetes

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"plumb.dev/plumb"
)

// Apply carries out exactly plan: creates and updates by server-side apply
// stage by stage, then, when the plan allows it and everything else
// succeeded, deletes in reverse order. The inventory is written before as
// old∪new and after as what the app now owns. Unchanged objects cost no
// request.
func (d *Driver) Apply(ctx context.Context, plan plumb.Plan) (plumb.Result, error) {
	res := plumb.Result{Actions: make([]plumb.ActionResult, len(plan.Actions))}
	for i, a := range plan.Actions {
		res.Actions[i].Action = a
	}
	ps, err := d.planFor(ctx, plan)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", plan.App.Name, err)
	}
	ex, err := d.executor(plan, ps, &res)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", plan.App.Name, err)
	}
	if err := ex.run(ctx); err != nil {
		return res, fmt.Errorf("apply %s: %w", plan.App.Name, err)
	}
	return res, nil
}

// planFor returns the computed plan behind plan: the one Plan just made
// when it matches, otherwise a fresh one.
func (d *Driver) planFor(ctx context.Context, plan plumb.Plan) (*planState, error) {
	st := d.state(plan.App.Name)
	st.mu.Lock()
	last := st.last
	st.mu.Unlock()
	if last != nil && last.plan.Prune == plan.Prune && sameObjects(last.plan.Desired.Objects, plan.Desired.Objects) {
		return last, nil // the very desired state Plan just saw
	}
	p, err := d.prepare(plan.App, plan.Desired.Objects)
	if err != nil {
		return nil, err
	}
	key := syncKey(p.setHash, plan.Prune)
	if last != nil && last.syncKey == key {
		return last, nil
	}
	return d.plan(ctx, plan.App, plan.Desired, plan.Prune)
}

// sameObjects reports whether a and b are the same slice of the same
// objects (not merely equal ones).
func sameObjects(a, b []*unstructured.Unstructured) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// executor carries out one plan.
type executor struct {
	d     *Driver
	cl    dynamic.Interface
	app   plumb.AppRef
	st    *appState
	ps    *planState
	res   *plumb.Result
	prune bool
	// steps holds the plan's changing actions, by index into res.
	steps map[int]*objPlan
}

func (d *Driver) executor(plan plumb.Plan, ps *planState, res *plumb.Result) (*executor, error) {
	cl, err := d.clientFor(plan.App)
	if err != nil {
		return nil, err
	}
	ex := &executor{d: d, cl: cl, app: plan.App, st: d.state(plan.App.Name), ps: ps, res: res, prune: plan.Prune, steps: map[int]*objPlan{}}
	for i, a := range plan.Actions {
		if !a.Changes() {
			continue
		}
		op, ok := ps.byName[a.Object]
		if !ok {
			res.Actions[i].Error = "not part of the current desired state or inventory; plan again"
			continue
		}
		ex.steps[i] = op
	}
	return ex, nil
}

// run applies, prunes and records the inventory.
func (ex *executor) run(ctx context.Context) error {
	if len(ex.steps) == 0 && ex.ps.inSyncOrNoop() {
		ex.markSynced()
		return nil
	}
	inv, err := ex.d.inventory(ctx, ex.app.Name, ex.st)
	if err != nil {
		return err
	}
	pre := inv.Union(ex.pending(inv))
	if err := ex.d.writeInventory(ctx, ex.app.Name, ex.st, pre); err != nil {
		return err
	}
	applied := ex.applyStages(ctx)
	switch {
	case applied && ex.prune:
		ex.deleteStages(ctx)
	case ex.prune:
		ex.skipDeletes("not pruned: an apply failed")
	}
	if err := ex.d.writeInventory(ctx, ex.app.Name, ex.st, ex.final(pre)); err != nil {
		return err
	}
	if ex.res.Failed() {
		return ex.failure()
	}
	ex.markSynced()
	ex.d.hub.refresh(ex.app.Name)
	return nil
}

func (ps *planState) inSyncOrNoop() bool { return ps.inv == nil || ps.inSync() }

// markSynced remembers that the target now matches desired.
func (ex *executor) markSynced() {
	ex.st.mu.Lock()
	if ex.st.watched {
		ex.st.synced = ex.ps.syncKey
	}
	ex.st.mu.Unlock()
}

// pending returns entries for every desired object, keeping the hash the
// inventory holds until the object's apply succeeds.
func (ex *executor) pending(inv Inventory) Inventory {
	out := Inventory{}
	for _, o := range ex.ps.p.objs {
		e := entryOf(o.obj, "")
		if old, ok := inv[o.key]; ok {
			e.Hash, e.ResourceVersion = old.Hash, old.ResourceVersion
		}
		out[o.key] = e
	}
	return out
}

func entryOf(u *unstructured.Unstructured, hash string) Entry {
	return Entry{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Hash: hash}
}

// failure summarizes the failed actions as one error.
func (ex *executor) failure() error {
	var errs []error
	n := 0
	for _, a := range ex.res.Actions {
		if a.Error == "" {
			continue
		}
		if n++; n <= maxErrors {
			errs = append(errs, errors.New(a.Error))
		}
	}
	if n > maxErrors {
		errs = append(errs, fmt.Errorf("and %d more errors", n-maxErrors))
	}
	return fmt.Errorf("%d of %d actions failed: %w", n, len(ex.res.Actions), errors.Join(errs...))
}
