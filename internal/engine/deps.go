package engine

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// dependenciesReady returns "" when every app r depends on is synced and
// healthy (at the same revision when they share r's source), or a message
// saying what r waits for.
func (e *Engine) dependenciesReady(ctx context.Context, r *run) string {
	for _, dep := range r.cfg.DependsOn {
		e.mu.Lock()
		da, ok := e.apps[dep]
		var dt *targetState
		if ok {
			dt = e.targets[da.cfg.Target]
		}
		e.mu.Unlock()
		if !ok {
			return fmt.Sprintf("dependency %s is not in the config", dep)
		}
		ds, err := e.opts.Store.GetStatus(ctx, dep)
		if err != nil || ds.Sync != plumb.SyncSynced {
			return fmt.Sprintf("dependency %s is not synced yet (%s)", dep, firstNonEmpty(string(ds.Sync), "never synced"))
		}
		if da.cfg.Source == r.cfg.Source && ds.Revision != r.commit.Revision {
			return fmt.Sprintf("dependency %s is at %s, waiting for it to reach %s", dep, plumb.Short(ds.Revision), r.commit.ShortRevision())
		}
		if _, checks := dt.driver.(target.HealthChecker); checks && ds.Health != plumb.HealthHealthy {
			return fmt.Sprintf("dependency %s is not healthy yet (%s)", dep, ds.Health)
		}
	}
	return ""
}

// noteWaiting records (once per distinct message) that r waits for a
// dependency. Waiting is not a failure and writes no history.
func (e *Engine) noteWaiting(ctx context.Context, r *run, msg string) {
	msg = "waiting: " + msg
	if r.st.LastError == msg {
		return
	}
	r.st.LastError = msg
	if r.st.Sync != plumb.SyncSynced {
		r.st.Sync = plumb.SyncOutOfSync
	}
	e.putStatus(ctx, &r.st)
	e.emit(ctx, store.Event{App: r.name, Type: EventWaiting, Revision: r.commit.Revision, Message: msg})
}

// waitHealthy polls the driver's health until the app is Healthy or
// Degraded, the app's timeout ends (Progressing then counts as Degraded),
// or a newer revision is queued for the app.
func (e *Engine) waitHealthy(ctx context.Context, r *run) plumb.Health {
	for {
		h, ok := healthOf(ctx, r.tgt.driver, r.ref())
		if !ok {
			return plumb.Health{}
		}
		switch h.Status {
		case plumb.HealthHealthy, plumb.HealthDegraded:
			return h
		}
		if e.newerRevisionPending(r.name) {
			h.Message = joinReason(h.Message, "health wait cancelled: a newer revision is queued")
			return h
		}
		select {
		case <-ctx.Done():
			return plumb.Health{Status: plumb.HealthDegraded, Object: h.Object,
				Message: fmt.Sprintf("still %s when the app's timeout ran out: %s", h.Status, h.Message), Hooks: h.Hooks}
		case <-e.clock.After(e.opts.HealthPoll):
		}
	}
}
