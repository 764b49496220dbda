package engine

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
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

// healthAfterApply returns the app's health after an apply. A manual sync
// or rollback waits for it to settle (the caller asked for the result); an
// automatic reconcile takes one look and, while the app is Progressing,
// leaves the rest to the queue (see checkSettling), so that a worker is
// never held while a rollout runs.
//
// pending reports a health still to be settled: the caller records the sync
// and then hands it to settleLater.
func (e *Engine) healthAfterApply(ctx context.Context, r *run) (h plumb.Health, pending bool) {
	if r.req.trigger == plumb.TriggerManual || r.req.trigger == plumb.TriggerRollback {
		return e.waitHealthy(ctx, r), false
	}
	h, ok := healthOf(ctx, r.tgt.driver, r.ref())
	return h, ok && !settled(h.Status)
}

// settleLater watches the health of a recorded sync from the queue until it
// settles or the app's timeout runs out.
func (e *Engine) settleLater(r *run, rec store.SyncRecord) {
	timeout := r.cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = config.DefaultAppTimeout
	}
	r.app.mu.Lock()
	r.app.settling = &settling{rec: rec, deadline: rec.StartedAt.Add(timeout)}
	r.app.mu.Unlock()
	e.checkHealthSoon(r.name)
}

func settled(s plumb.HealthStatus) bool { return s == plumb.HealthHealthy || s == plumb.HealthDegraded }

// checkHealthSoon queues a health check of the app after HealthPoll.
func (e *Engine) checkHealthSoon(name string) {
	e.mu.Lock()
	if _, ok := e.pending[name]; !ok {
		e.pending[name] = &request{trigger: plumb.TriggerInterval, reason: "health check after apply"}
	}
	e.mu.Unlock()
	e.queue.AddAfter(name, e.opts.HealthPoll)
}

// checkSettling looks at the health of an app whose last apply has not
// settled yet: when it has (or the app's timeout ran out, which counts as
// Degraded) the sync record gets its final health; otherwise another
// check is queued. It returns the health to record on the status.
func (e *Engine) checkSettling(ctx context.Context, r *run, h plumb.Health) plumb.Health {
	r.app.mu.Lock()
	s := r.app.settling
	r.app.mu.Unlock()
	if s == nil {
		return h
	}
	if !settled(h.Status) && e.clock.Now().Before(s.deadline) {
		e.checkHealthSoon(r.name)
		return h
	}
	if !settled(h.Status) {
		h = plumb.Health{Status: plumb.HealthDegraded, Object: h.Object,
			Message: fmt.Sprintf("still %s when the app's timeout ran out: %s", h.Status, h.Message)}
	}
	r.app.mu.Lock()
	r.app.settling = nil
	r.app.mu.Unlock()
	s.rec.Health = h.Status
	s.rec.Hooks = append(s.rec.Hooks, h.Hooks...)
	_ = e.opts.Store.FinishSync(context.WithoutCancel(ctx), &s.rec)
	return h
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
