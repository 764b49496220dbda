package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// dependencyWait is how soon an app waiting for a dependency looks again
// (dependents are also woken as soon as a dependency finishes).
const dependencyWait = 5 * time.Second

// run is one reconcile in progress: everything resolved before planning.
type run struct {
	name   string
	app    *appState
	cfg    *config.App
	req    *request
	src    *sourceState
	tgt    *targetState
	st     store.AppStatus
	commit plumb.Commit
	hash   string
	// fetchErr is a failed fetch asked for by the request; the app is then
	// reconciled at the last fetched revision and the error returned.
	fetchErr error
}

func (r *run) ref() plumb.AppRef { return plumb.AppRef{Name: r.name, Namespace: r.cfg.Namespace} }

// reconcile brings one app in line with Git. It returns the sync record
// (zero when nothing was recorded), how long to wait before trying again
// when a dependency is not ready, and the error that failed the reconcile.
func (e *Engine) reconcile(ctx context.Context, name string, a *appState, req *request) (store.SyncRecord, time.Duration, error) {
	r, err := e.prepare(ctx, name, a, req)
	if err != nil || r == nil {
		return store.SyncRecord{}, 0, err
	}
	rec, wait, err := e.reconcileRun(ctx, r)
	if err == nil && r.fetchErr != nil {
		err = fmt.Errorf("fetch failed, synced the last fetched revision %s: %w", r.commit.ShortRevision(), r.fetchErr)
	}
	return rec, wait, err
}

// reconcileRun is reconcile once the run is resolved.
func (e *Engine) reconcileRun(ctx context.Context, r *run) (store.SyncRecord, time.Duration, error) {
	if msg := e.dependenciesReady(ctx, r); msg != "" {
		e.noteWaiting(ctx, r, msg)
		return store.SyncRecord{}, dependencyWait, nil
	}
	timeout := r.cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = config.DefaultAppTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan, err := e.plan(rctx, r)
	if err != nil {
		return e.fail(ctx, r, nil, "plan", err)
	}
	if !plan.HasChanges() {
		return e.noop(rctx, r)
	}
	if reportOnly(r, plan) {
		return e.reportDrift(ctx, r, plan)
	}
	return e.apply(rctx, ctx, r, plan)
}

// prepare resolves the run for a request. A nil run with a nil error
// means there is nothing to do (the app is suspended).
func (e *Engine) prepare(ctx context.Context, name string, a *appState, req *request) (*run, error) {
	r, err := e.resolve(ctx, name, a, req)
	if err != nil {
		return nil, err
	}
	if r.cfg.Suspend || r.st.Suspended {
		return nil, e.suspendedRequest(ctx, r)
	}
	return r, nil
}

// resolve finds the app's source, target, status and the revision it
// should be at (the pinned one after a rollback, else the source's newest).
func (e *Engine) resolve(ctx context.Context, name string, a *appState, req *request) (*run, error) {
	e.mu.Lock()
	r := &run{name: name, app: a, cfg: a.cfg, req: req, src: e.sources[a.cfg.Source], tgt: e.targets[a.cfg.Target]}
	e.mu.Unlock()
	if r.src == nil || r.tgt == nil {
		return nil, fmt.Errorf("app %s: source %q or target %q is not running", name, a.cfg.Source, a.cfg.Target)
	}
	if req.fetch {
		_, r.fetchErr = e.fetch(ctx, r.src, plumb.TriggerManual)
	}
	r.st = e.status(ctx, a)
	commit, srcErr := r.src.current()
	rev := commit.Revision
	if r.st.PinnedRevision != "" {
		rev = r.st.PinnedRevision
	}
	if rev == "" {
		return nil, fmt.Errorf("source %s has no revision yet: %v", r.cfg.Source, srcErr)
	}
	if rev != commit.Revision {
		c, err := r.src.src.Commit(ctx, rev)
		if err != nil {
			return nil, fmt.Errorf("pinned revision %s: %w", plumb.Short(rev), err)
		}
		commit = c
	}
	r.commit = commit
	return r, nil
}

// suspendedRequest answers a request for a suspended app: a manual sync is
// refused, drift is only recorded.
func (e *Engine) suspendedRequest(ctx context.Context, r *run) error {
	if r.req.trigger == plumb.TriggerManual || r.req.trigger == plumb.TriggerRollback {
		return fmt.Errorf("%w: %s (run `plumb resume %s` first)", ErrSuspended, r.name, r.name)
	}
	if d := r.app.peekDrift(); len(d) > 0 {
		r.st.Sync = plumb.SyncOutOfSync
		r.st.Drift = driftList(d)
		r.st.DriftAt = e.clock.Now()
		e.putStatus(ctx, &r.st)
	}
	return nil
}

// status loads the app's status, or a fresh one, with its control fields
// as the engine holds them.
func (e *Engine) status(ctx context.Context, a *appState) store.AppStatus {
	st, err := e.opts.Store.GetStatus(ctx, a.cfg.Name)
	if err != nil {
		st = store.AppStatus{App: a.cfg.Name, Sync: plumb.SyncUnknown, Health: plumb.HealthUnknown}
	}
	st.Target, st.Source, st.Path = a.cfg.Target, a.cfg.Source, a.cfg.Path
	e.control(ctx, a).applyTo(&st)
	return st
}

// putStatus writes an app's status unless the app has left the config,
// overlaying the control fields the engine holds.
func (e *Engine) putStatus(ctx context.Context, st *store.AppStatus) {
	e.mu.Lock()
	a, ok := e.apps[st.App]
	e.mu.Unlock()
	if !ok {
		return
	}
	e.control(ctx, a).applyTo(st)
	st.UpdatedAt = e.clock.Now()
	_ = e.opts.Store.PutStatus(context.WithoutCancel(ctx), *st)
}

// control returns the app's suspension and pin, read from the store the
// first time (they survive restarts there).
func (e *Engine) control(ctx context.Context, a *appState) control {
	a.ctlMu.Lock()
	defer a.ctlMu.Unlock()
	if !a.ctlLoaded {
		if st, err := e.opts.Store.GetStatus(ctx, a.cfg.Name); err == nil {
			a.ctl = control{suspended: st.Suspended, reason: st.SuspendReason, pinned: st.PinnedRevision}
		}
		a.ctlLoaded = true
	}
	return a.ctl
}

// setControl changes the app's suspension and pin and records the status.
func (e *Engine) setControl(ctx context.Context, a *appState, c control) store.AppStatus {
	a.ctlMu.Lock()
	a.ctl, a.ctlLoaded = c, true
	a.ctlMu.Unlock()
	st := e.status(ctx, a)
	e.putStatus(ctx, &st)
	return st
}

func (c control) applyTo(st *store.AppStatus) {
	st.Suspended, st.SuspendReason, st.PinnedRevision = c.suspended, c.reason, c.pinned
}

// plan renders the app at its revision and asks the driver for a plan.
func (e *Engine) plan(ctx context.Context, r *run) (plumb.Plan, error) {
	rd, ok := e.opts.Renderers[r.tgt.cfg.Kind]
	if !ok {
		return plumb.Plan{}, fmt.Errorf("no renderer for target kind %q", r.tgt.cfg.Kind)
	}
	hash, err := rd.InputHash(ctx, r.src.src, r.commit.Revision, r.cfg)
	if err != nil {
		return plumb.Plan{}, fmt.Errorf("render: %w", err)
	}
	r.hash = hash
	key := r.tgt.cfg.Kind + "\x00" + r.cfg.Namespace + "\x00" + hash
	desired, ok := e.cache.get(key)
	if !ok {
		if desired, err = rd.Render(ctx, r.src.src, r.commit.Revision, r.cfg); err != nil {
			return plumb.Plan{}, fmt.Errorf("render: %w", err)
		}
		e.cache.put(key, desired)
	}
	desired.Revision = r.commit.Revision
	plan, err := r.tgt.driver.Plan(ctx, r.ref(), desired, r.cfg.Prune)
	if err != nil {
		return plumb.Plan{}, err
	}
	annotateDrift(&plan, r.app.peekDrift())
	return plan, nil
}

// reportOnly reports whether a plan should only be reported: the app does
// not self-heal, the reconcile was not asked for a new revision, and all
// the plan would do is undo changes made in the target.
func reportOnly(r *run, p plumb.Plan) bool {
	if r.cfg.SelfHeal {
		return false
	}
	switch r.req.trigger {
	case plumb.TriggerInterval, plumb.TriggerDrift, plumb.TriggerStartup, plumb.TriggerConfig:
	default:
		return false
	}
	if r.hash != r.st.InputHash || r.st.Sync == plumb.SyncFailed {
		return false // Git moved, or the last sync did not finish: not drift
	}
	for _, a := range p.Actions {
		if a.Changes() && a.Reason != plumb.ReasonDrifted && a.Reason != plumb.ReasonMissingLive {
			return false
		}
	}
	return true
}

// annotateDrift adds what the watcher saw (e.g. who changed an object) to
// the plan's drift actions.
func annotateDrift(p *plumb.Plan, drift map[string]plumb.Drift) {
	for i, a := range p.Actions {
		if d, ok := drift[a.Object]; ok && a.Changes() && a.Detail == "" {
			p.Actions[i].Detail = d.Detail
		}
	}
}

// changed returns the actions of a result that wrote to the target.
func changed(res []plumb.ActionResult) []plumb.ActionResult {
	var out []plumb.ActionResult
	for _, a := range res {
		if a.Changes() || a.Error != "" {
			out = append(out, a)
		}
	}
	return out
}

func asResults(actions []plumb.Action) []plumb.ActionResult {
	out := make([]plumb.ActionResult, 0, len(actions))
	for _, a := range actions {
		out = append(out, plumb.ActionResult{Action: a})
	}
	return out
}

func errNotInConfig(name string) error { return fmt.Errorf("app %s: %w in config", name, ErrNotFound) }

// healthOf asks the driver once for the app's health.
func healthOf(ctx context.Context, t target.Target, ref plumb.AppRef) (plumb.Health, bool) {
	hc, ok := t.(target.HealthChecker)
	if !ok {
		return plumb.Health{}, false
	}
	h, err := hc.Health(ctx, ref)
	if err != nil {
		return plumb.Health{Status: plumb.HealthUnknown, Message: err.Error()}, true
	}
	return h, true
}

// isRefusal reports errors that must not be retried.
func isRefusal(err error) bool { return errors.Is(err, ErrSuspended) || errors.Is(err, ErrNotFound) }
