package kubernetes

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
)

// Resources lists every object app's inventory holds, in apply order, with
// its kstatus health and message, read as Health reads them. Object names
// are the ones plan actions use. Sync is Synced when the driver knows the
// target matches the desired state it last planned or applied and no drift
// was seen since, else Unknown: a fresh plan tells the rest.
func (d *Driver) Resources(ctx context.Context, app plumb.AppRef) ([]plumb.Resource, error) {
	objs, err := d.objectHealth(ctx, app)
	if err != nil {
		return nil, fmt.Errorf("resources %s: %w", app.Name, err)
	}
	sync := plumb.SyncUnknown
	if d.state(app.Name).inSync() {
		sync = plumb.SyncSynced
	}
	out := make([]plumb.Resource, len(objs))
	for i, h := range objs {
		out[i] = plumb.Resource{Object: h.Object, Sync: sync, Health: h.Status, Message: h.Message}
	}
	return out, nil
}
