package engine

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// sourceState is one running Source and the newest commit fetched from it.
type sourceState struct {
	cfg    *config.Source
	src    Source
	cancel context.CancelFunc
	kick   chan struct{} // asks the poller to fetch now
	flight singleflight.Group

	mu     sync.Mutex
	commit plumb.Commit
	err    error
}

func (s *sourceState) current() (plumb.Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commit, s.err
}

// targetState is one built target driver.
type targetState struct {
	cfg    *config.Target
	driver target.Target
}

// appState is one app the engine runs.
type appState struct {
	cfg         *config.App
	cancelWatch context.CancelFunc

	mu    sync.Mutex
	drift map[string]plumb.Drift // seen since the last apply

	// settling is the sync whose health is still being watched after an
	// automatic apply (nil when none).
	settling *settling

	ctlMu     sync.Mutex
	ctlLoaded bool
	ctl       control
}

// settling is an applied sync waiting for its health to settle, checked
// from the queue so that no worker is held while objects roll out.
type settling struct {
	rec      store.SyncRecord
	deadline time.Time
}

func (a *appState) clearSettling() {
	a.mu.Lock()
	a.settling = nil
	a.mu.Unlock()
}

// control is the part of an app's status that people set (suspend,
// rollback pin). The engine owns it in memory so that a reconcile writing
// its status can never undo a concurrent suspend or rollback.
type control struct {
	suspended bool
	reason    string
	pinned    string
}

func (a *appState) addDrift(d plumb.Drift) (isNew bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.drift == nil {
		a.drift = map[string]plumb.Drift{}
	}
	old, seen := a.drift[d.Object]
	a.drift[d.Object] = d
	return !seen || old.Detail != d.Detail
}

func (a *appState) takeDrift() map[string]plumb.Drift {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.drift
	a.drift = nil
	return d
}

func (a *appState) peekDrift() map[string]plumb.Drift {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]plumb.Drift, len(a.drift))
	for k, v := range a.drift {
		out[k] = v
	}
	return out
}

// request is a coalesced ask to reconcile one app.
type request struct {
	trigger  plumb.Trigger
	reason   string
	actor    string
	revision string // rollback: the revision to apply
	fetch    bool   // fetch the source before reconciling (manual sync)
	waiters  []chan outcome
}

// outcome is what a waiter on a request receives.
type outcome struct {
	record store.SyncRecord
	err    error
}

// priority orders triggers when requests coalesce: the more explicit wins.
var priority = map[plumb.Trigger]int{
	plumb.TriggerInterval: 1, plumb.TriggerStartup: 2, plumb.TriggerConfig: 3,
	plumb.TriggerDrift: 4, plumb.TriggerRevision: 5, plumb.TriggerWebhook: 6,
	plumb.TriggerManual: 7, plumb.TriggerRollback: 8,
}

// merge folds r into an existing request, keeping the stronger trigger and
// every waiter.
func (p *request) merge(r *request) {
	if priority[r.trigger] >= priority[p.trigger] {
		p.trigger, p.reason, p.actor = r.trigger, r.reason, r.actor
		if r.revision != "" {
			p.revision = r.revision
		}
	}
	p.fetch = p.fetch || r.fetch
	p.waiters = append(p.waiters, r.waiters...)
}
