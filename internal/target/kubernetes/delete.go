package kubernetes

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
)

// Delete removes everything app owns (objects both its inventory and the
// ownership label claim, except those opting out), in reverse apply order,
// then its inventory. Nothing is deleted when the cluster cannot be read.
func (d *Driver) Delete(ctx context.Context, app plumb.AppRef) (plumb.Result, error) {
	st := d.state(app.Name)
	st.mu.Lock()
	st.inv, st.synced, st.last = nil, "", nil // read the inventory afresh
	st.mu.Unlock()
	plan, err := d.Plan(ctx, app, plumb.Desired{}, true)
	if err != nil {
		return plumb.Result{}, fmt.Errorf("delete %s: %w", app.Name, err)
	}
	for i := range plan.Actions {
		if plan.Actions[i].Reason == plumb.ReasonRemovedInGit {
			plan.Actions[i].Reason = plumb.ReasonAppRemoved
		}
	}
	res, err := d.Apply(ctx, plan)
	if err != nil {
		return res, fmt.Errorf("delete %s: %w", app.Name, err)
	}
	if err := d.deleteInventory(ctx, app.Name, st); err != nil {
		return res, fmt.Errorf("delete %s: %w", app.Name, err)
	}
	return res, nil
}
