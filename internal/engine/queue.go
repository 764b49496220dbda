package engine

import (
	"context"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
)

// enqueueLocked adds a request for app, coalescing with one already
// pending. The workqueue guarantees one reconcile per app at a time.
func (e *Engine) enqueueLocked(app string, r *request) {
	if p, ok := e.pending[app]; ok {
		p.merge(r)
	} else {
		e.pending[app] = r
	}
	e.queue.Add(app)
}

// enqueue is enqueueLocked for callers that do not hold the lock.
func (e *Engine) enqueue(app string, r *request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.enqueueLocked(app, r)
}

// work processes queue items until the queue shuts down.
func (e *Engine) work(ctx context.Context) {
	for {
		name, quit := e.queue.Get()
		if quit {
			return
		}
		e.process(ctx, name)
		e.queue.Done(name)
	}
}

// process runs one reconcile for name with whatever request is pending
// (a timer firing with nothing pending is an interval reconcile).
func (e *Engine) process(ctx context.Context, name string) {
	e.mu.Lock()
	a, ok := e.apps[name]
	req := e.pending[name]
	delete(e.pending, name)
	if req == nil {
		req = &request{trigger: plumb.TriggerInterval, reason: "interval"}
	}
	e.running[name] = req
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.running, name)
		e.mu.Unlock()
	}()
	if !ok {
		notify(req, store.SyncRecord{}, errNotInConfig(name))
		e.queue.Forget(name)
		return
	}
	start := e.clock.Now()
	rec, wait, err := e.reconcile(ctx, name, a, req)
	e.opts.Observer.Reconciled(name, req.trigger, rec.Result, e.clock.Since(start), err)
	notify(req, rec, err)
	e.schedule(name, a, req, wait, err)
}

// schedule decides when the app runs next: after a backoff on failure, soon
// when waiting for a dependency, and after its interval otherwise.
func (e *Engine) schedule(name string, a *appState, req *request, wait time.Duration, err error) {
	switch {
	case err != nil && isRefusal(err):
		e.queue.Forget(name)
	case err != nil:
		e.mu.Lock()
		if _, ok := e.pending[name]; !ok {
			e.pending[name] = &request{trigger: plumb.TriggerInterval, reason: "retry after failure: " + err.Error()}
		}
		e.mu.Unlock()
		e.queue.AddRateLimited(name)
	case wait > 0:
		e.mu.Lock()
		if _, ok := e.pending[name]; !ok {
			e.pending[name] = &request{trigger: req.trigger, reason: req.reason}
		}
		e.mu.Unlock()
		e.queue.AddAfter(name, wait)
	default:
		e.queue.Forget(name)
		e.queue.AddAfter(name, jitter(appInterval(a)))
		e.queueDependents(name)
	}
}

// queueDependents wakes apps that wait for name.
func (e *Engine) queueDependents(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for n, a := range e.apps {
		for _, d := range a.cfg.DependsOn {
			if d == name {
				if _, ok := e.pending[n]; ok {
					e.queue.Add(n)
				}
			}
		}
	}
}

func notify(req *request, rec store.SyncRecord, err error) {
	for _, w := range req.waiters {
		w <- outcome{record: rec, err: err}
	}
}

// newerRevisionPending reports whether a request that moves the app to a
// new revision is waiting; health waits give way to it.
func (e *Engine) newerRevisionPending(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.pending[name]
	return ok && (p.trigger == plumb.TriggerRevision || p.trigger == plumb.TriggerRollback || p.trigger == plumb.TriggerWebhook)
}

// appInterval is how often an app is reconciled without other triggers.
func appInterval(a *appState) time.Duration {
	if d := a.cfg.Interval.Duration; d > 0 {
		return d
	}
	return config.DefaultAppInterval
}
