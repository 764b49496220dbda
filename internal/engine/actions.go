package engine

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// Sync fetches the app's source now, reconciles the app and returns the
// record of that reconcile. A failed fetch does not stop the sync: the app
// is reconciled at the last fetched revision and the error is returned
// with the record.
func (e *Engine) Sync(ctx context.Context, name, actor string) (store.SyncRecord, error) {
	if _, err := e.app(name); err != nil {
		return store.SyncRecord{}, err
	}
	reason := "sync requested"
	if actor != "" {
		reason = "sync requested by " + actor
	}
	return e.request(ctx, name, &request{trigger: plumb.TriggerManual, reason: reason, actor: actor, fetch: true})
}

// Rollback applies the app as it was at revision and pins it there: new
// revisions are not followed until Resume.
func (e *Engine) Rollback(ctx context.Context, name, revision, actor string) (store.SyncRecord, error) {
	a, err := e.app(name)
	if err != nil {
		return store.SyncRecord{}, err
	}
	e.mu.Lock()
	s := e.sources[a.cfg.Source]
	e.mu.Unlock()
	c, err := s.src.Commit(ctx, revision)
	if err != nil {
		return store.SyncRecord{}, fmt.Errorf("rollback %s: revision %q: %w", name, revision, err)
	}
	if _, err := s.src.TreeHash(ctx, c.Revision, a.cfg.Path); err != nil {
		return store.SyncRecord{}, fmt.Errorf("rollback %s: %s has no %q: %w", name, c.ShortRevision(), a.cfg.Path, err)
	}
	if a.cfg.Suspend || e.control(ctx, a).suspended {
		return store.SyncRecord{}, fmt.Errorf("%w: %s (run `plumb resume %s` first)", ErrSuspended, name, name)
	}
	e.setControl(ctx, a, control{pinned: c.Revision,
		reason: fmt.Sprintf("rolled back to %s; new revisions are not followed until `plumb resume %s`", c.ShortRevision(), name)})
	e.emit(ctx, store.Event{App: name, Type: EventRollback, Revision: c.Revision, Message: fmt.Sprintf("rollback to %s (%s) by %s", c.ShortRevision(), firstLine(c.Message), firstNonEmpty(actor, "unknown"))})
	return e.request(ctx, name, &request{trigger: plumb.TriggerRollback, reason: "rollback to " + c.ShortRevision(), actor: actor, revision: c.Revision})
}

// Suspend stops all automatic reconciles of the app, drift correction
// included, until Resume.
func (e *Engine) Suspend(ctx context.Context, name, actor string) (store.AppStatus, error) {
	a, err := e.app(name)
	if err != nil {
		return store.AppStatus{}, err
	}
	c := e.control(ctx, a)
	c.suspended, c.reason = true, "suspended by "+firstNonEmpty(actor, "unknown")
	st := e.setControl(ctx, a, c)
	e.emit(ctx, store.Event{App: name, Type: EventSuspended, Message: st.SuspendReason})
	return st, nil
}

// Resume lifts a suspension or a rollback pin and reconciles the app at
// the source's newest revision.
func (e *Engine) Resume(ctx context.Context, name, actor string) (store.AppStatus, error) {
	a, err := e.app(name)
	if err != nil {
		return store.AppStatus{}, err
	}
	st := e.setControl(ctx, a, control{})
	msg := "resumed by " + firstNonEmpty(actor, "unknown")
	if a.cfg.Suspend {
		msg += "; the app is still suspended in its config (spec.suspend)"
	}
	e.emit(ctx, store.Event{App: name, Type: EventResumed, Message: msg})
	e.enqueue(name, &request{trigger: plumb.TriggerManual, reason: msg, actor: actor})
	return st, nil
}

// Diff plans the app at the revision it should be at, without applying.
func (e *Engine) Diff(ctx context.Context, name string) (plumb.Plan, error) {
	r, err := e.resolveApp(ctx, name)
	if err != nil {
		return plumb.Plan{}, err
	}
	return e.plan(ctx, r)
}

// Render returns what the app would apply at the revision it should be at.
func (e *Engine) Render(ctx context.Context, name string) (plumb.Desired, error) {
	r, err := e.resolveApp(ctx, name)
	if err != nil {
		return plumb.Desired{}, err
	}
	rd := e.opts.Renderers[r.tgt.cfg.Kind]
	if rd == nil {
		return plumb.Desired{}, fmt.Errorf("no renderer for target kind %q", r.tgt.cfg.Kind)
	}
	d, err := rd.Render(ctx, r.src.src, r.commit.Revision, r.cfg)
	if err != nil {
		return plumb.Desired{}, fmt.Errorf("render %s at %s: %w", name, r.commit.ShortRevision(), err)
	}
	d.Revision = r.commit.Revision
	return d, nil
}

func (e *Engine) resolveApp(ctx context.Context, name string) (*run, error) {
	a, err := e.app(name)
	if err != nil {
		return nil, err
	}
	return e.resolve(ctx, name, a, &request{trigger: plumb.TriggerManual})
}

func (e *Engine) app(name string) (*appState, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.apps[name]
	if !ok {
		return nil, errNotInConfig(name)
	}
	return a, nil
}

// request queues r for app and waits for its outcome.
func (e *Engine) request(ctx context.Context, app string, r *request) (store.SyncRecord, error) {
	ch := make(chan outcome, 1)
	r.waiters = []chan outcome{ch}
	e.enqueue(app, r)
	select {
	case o := <-ch:
		return o.record, o.err
	case <-ctx.Done():
		return store.SyncRecord{}, fmt.Errorf("waiting for %s: %w", app, ctx.Err())
	}
}

// Resources lists what the app owns or should own: sync state per object
// from a fresh plan, and health per object when the driver can tell it.
func (e *Engine) Resources(ctx context.Context, name string) ([]plumb.Resource, error) {
	r, err := e.resolveApp(ctx, name)
	if err != nil {
		return nil, err
	}
	plan, err := e.plan(ctx, r)
	if err != nil {
		return nil, err
	}
	health := map[string]plumb.Resource{}
	if rl, ok := r.tgt.driver.(target.ResourceLister); ok {
		live, err := rl.Resources(ctx, r.ref())
		if err != nil {
			return nil, fmt.Errorf("resources of %s: %w", name, err)
		}
		for _, res := range live {
			health[res.Object] = res
		}
	}
	return resourcesOf(plan, health), nil
}

func resourcesOf(plan plumb.Plan, health map[string]plumb.Resource) []plumb.Resource {
	out := make([]plumb.Resource, 0, len(plan.Actions))
	for _, a := range plan.Actions {
		res := plumb.Resource{Object: a.Object, Sync: plumb.SyncSynced}
		if h, ok := health[a.Object]; ok {
			res.Health, res.Message = h.Health, h.Message
		}
		switch {
		case a.Type == plumb.ActionDelete || a.Reason == plumb.ReasonPruneDisabled:
			res.Sync, res.Reason = plumb.SyncOutOfSync, a.Reason
		case a.Changes():
			res.Sync, res.Reason = plumb.SyncOutOfSync, a.Reason
			if a.Type == plumb.ActionCreate && res.Health == "" {
				res.Health = plumb.HealthMissing
			}
		}
		out = append(out, res)
	}
	return out
}

// DiffLocal plans the app as if its source were the directory root (e.g. a
// pull request's checkout): what merging it would change, without
// applying anything.
func (e *Engine) DiffLocal(ctx context.Context, name string, src Source) (plumb.Plan, error) {
	a, err := e.app(name)
	if err != nil {
		return plumb.Plan{}, err
	}
	c, err := src.Resolve(ctx)
	if err != nil {
		return plumb.Plan{}, err
	}
	e.mu.Lock()
	r := &run{name: name, app: a, cfg: a.cfg, req: &request{trigger: plumb.TriggerManual}, src: &sourceState{src: src}, tgt: e.targets[a.cfg.Target], commit: c}
	e.mu.Unlock()
	if r.tgt == nil {
		return plumb.Plan{}, fmt.Errorf("app %s: target %q is not running", name, a.cfg.Target)
	}
	return e.plan(ctx, r)
}
