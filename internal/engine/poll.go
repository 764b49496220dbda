package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// startAllLocked starts a poller for every source and a watcher for every
// app that lacks one.
func (e *Engine) startAllLocked(ctx context.Context) {
	for _, s := range e.sources {
		if s.cancel == nil {
			pctx, cancel := context.WithCancel(ctx)
			s.cancel = cancel
			go e.poll(pctx, s)
		}
	}
	for name, a := range e.apps {
		if a.cancelWatch != nil {
			continue
		}
		t := e.targets[a.cfg.Target]
		w, ok := t.driver.(target.Watcher)
		if !ok {
			a.cancelWatch = func() {}
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		a.cancelWatch = cancel
		go e.watch(wctx, name, a, w)
	}
}

func (e *Engine) stopAllLocked() {
	for _, s := range e.sources {
		if s.cancel != nil {
			s.cancel()
		}
	}
	for _, a := range e.apps {
		if a.cancelWatch != nil {
			a.cancelWatch()
		}
	}
}

// jitter spreads d by ±10% so that sources and apps do not poll in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}

// poll fetches a source every interval (or when kicked) and queues the
// source's apps when its revision moves.
func (e *Engine) poll(ctx context.Context, s *sourceState) {
	interval := config.DefaultSourceInterval
	if s.cfg.Git != nil && s.cfg.Git.Interval.Duration > 0 {
		interval = s.cfg.Git.Interval.Duration
	}
	e.fetch(ctx, s, plumb.TriggerRevision)
	for {
		t := e.clock.NewTimer(jitter(interval))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.kick:
			t.Stop()
		case <-t.C():
		}
		e.fetch(ctx, s, plumb.TriggerRevision)
	}
}

// FetchSource fetches the named source now and waits for the result;
// apps whose revision moved are queued.
func (e *Engine) FetchSource(ctx context.Context, name string, trigger plumb.Trigger) (plumb.Commit, error) {
	e.mu.Lock()
	s, ok := e.sources[name]
	e.mu.Unlock()
	if !ok {
		return plumb.Commit{}, fmt.Errorf("source %s: %w", name, ErrNotFound)
	}
	return e.fetch(ctx, s, trigger)
}

// fetch fetches one source; concurrent callers share one fetch. On failure the last known revision stays (or,
// after a restart, the one in the local mirror) and the error is recorded;
// nothing is queued, so nothing is pruned.
func (e *Engine) fetch(ctx context.Context, s *sourceState, trigger plumb.Trigger) (plumb.Commit, error) {
	v, err, _ := s.flight.Do("fetch", func() (any, error) { return e.fetchOnce(ctx, s, trigger) })
	c, _ := v.(plumb.Commit)
	return c, err
}

func (e *Engine) fetchOnce(ctx context.Context, s *sourceState, trigger plumb.Trigger) (plumb.Commit, error) {
	start := e.clock.Now()
	c, err := s.src.Fetch(ctx)
	e.opts.Observer.Fetched(s.cfg.Name, e.clock.Since(start), err)
	s.mu.Lock()
	prev, prevErr := s.commit, s.err
	if err != nil {
		s.err = err
		if prev.Revision == "" { // first fetch after start: fall back to the mirror
			if mc, merr := s.src.Resolve(ctx); merr == nil {
				s.commit, c = mc, mc
			}
		}
	} else {
		s.commit, s.err = c, nil
	}
	cur := s.commit
	s.mu.Unlock()
	if err != nil {
		if prevErr == nil || prevErr.Error() != err.Error() {
			e.emit(ctx, store.Event{Type: EventSourceFailed, Message: fmt.Sprintf("source %s: %v", s.cfg.Name, err), Detail: map[string]string{"source": s.cfg.Name}})
		}
		e.recordSourceError(ctx, s.cfg.Name, err)
		if prev.Revision == "" && cur.Revision != "" {
			e.queueSourceApps(s.cfg.Name, plumb.TriggerStartup, "source unreachable; using the last fetched revision "+cur.ShortRevision())
		}
		return cur, err
	}
	if cur.Revision != prev.Revision {
		if prev.Revision != "" {
			e.emit(ctx, store.Event{Type: EventSourceRevision, Revision: cur.Revision, Message: fmt.Sprintf("source %s moved to %s: %s", s.cfg.Name, cur.ShortRevision(), firstLine(cur.Message)), Detail: map[string]string{"source": s.cfg.Name}})
		}
		e.queueSourceApps(s.cfg.Name, trigger, fmt.Sprintf("new revision %s (%s: %s)", cur.ShortRevision(), cur.Author, firstLine(cur.Message)))
	} else if prevErr != nil {
		e.queueSourceApps(s.cfg.Name, trigger, "source reachable again")
	}
	return cur, nil
}

// recordSourceError shows a fetch failure on every app of the source
// without touching its sync state.
func (e *Engine) recordSourceError(ctx context.Context, source string, err error) {
	for _, a := range e.appsOfSource(source) {
		st := e.status(ctx, a)
		st.LastError = fmt.Sprintf("fetch source %s: %v (the last applied state is kept)", source, err)
		e.putStatus(ctx, &st)
	}
}

func (e *Engine) appsOfSource(source string) []*appState {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*appState
	for _, a := range e.apps {
		if a.cfg.Source == source {
			out = append(out, a)
		}
	}
	return out
}

func (e *Engine) queueSourceApps(source string, trigger plumb.Trigger, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, a := range e.apps {
		if a.cfg.Source == source {
			e.enqueueLocked(name, &request{trigger: trigger, reason: reason})
		}
	}
}

// watch runs a target watcher for one app until ctx ends, restarting it
// with backoff if it fails.
func (e *Engine) watch(ctx context.Context, name string, a *appState, w target.Watcher) {
	ref := plumb.AppRef{Name: name, Namespace: a.cfg.Namespace}
	backoff := time.Second
	for ctx.Err() == nil {
		err := w.Watch(ctx, ref, func(d plumb.Drift) { e.onDrift(ctx, name, a, d) })
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.emit(ctx, store.Event{App: name, Type: EventSourceFailed, Message: "watch target: " + err.Error()})
		}
		select {
		case <-ctx.Done():
			return
		case <-e.clock.After(backoff):
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// onDrift records a live change and, with selfHeal, queues a correction.
func (e *Engine) onDrift(ctx context.Context, name string, a *appState, d plumb.Drift) {
	e.opts.Observer.Drifted(name, d)
	if !a.addDrift(d) {
		return
	}
	msg := fmt.Sprintf("%s drifted: %s", d.Object, d.Detail)
	e.emit(ctx, store.Event{App: name, Type: EventDriftDetected, Message: msg, Detail: map[string]string{"object": d.Object, "detail": d.Detail}})
	e.mu.Lock()
	defer e.mu.Unlock()
	reason := "drift: " + msg
	if !a.cfg.SelfHeal {
		reason = "drift reported (selfHeal off): " + msg
	}
	e.enqueueLocked(name, &request{trigger: plumb.TriggerDrift, reason: reason})
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
