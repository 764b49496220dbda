package engine

import (
	"context"
	"sync"

	"plumb.dev/plumb/internal/store"
)

// Event types the engine emits.
const (
	EventSyncSucceeded  = "sync.succeeded"
	EventSyncFailed     = "sync.failed"
	EventSyncSkipped    = "sync.skipped"
	EventDriftDetected  = "drift.detected"
	EventDriftCorrected = "drift.corrected"
	EventHealthDegraded = "health.degraded"
	EventHealthRecover  = "health.recovered"
	EventSourceFailed   = "source.failed"
	EventSourceRevision = "source.revision"
	EventConfigApplied  = "config.applied"
	EventConfigFailed   = "config.failed"
	EventAppRemoved     = "app.removed"
	EventRollback       = "app.rollback"
	EventSuspended      = "app.suspended"
	EventResumed        = "app.resumed"
	EventWaiting        = "app.waiting"
	EventInterrupted    = "engine.interrupted"
)

// bus fans events out to subscribers without ever blocking the engine: a
// subscriber that falls behind loses events, not the engine's time.
type bus struct {
	mu   sync.Mutex
	subs map[chan store.Event]struct{}
}

func newBus() *bus { return &bus{subs: map[chan store.Event]struct{}{}} }

func (b *bus) subscribe() (<-chan store.Event, func()) {
	ch := make(chan store.Event, 256)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
		b.mu.Unlock()
	}
}

func (b *bus) publish(ev store.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// emit records an event in the store and publishes it. A store failure is
// not fatal for the reconcile that emits it.
func (e *Engine) emit(ctx context.Context, ev store.Event) {
	if ev.Time.IsZero() {
		ev.Time = e.clock.Now()
	}
	_ = e.opts.Store.AddEvent(context.WithoutCancel(ctx), &ev)
	e.bus.publish(ev)
}

// Emit records and publishes an event on behalf of the engine's owner
// (e.g. the config loader).
func (e *Engine) Emit(ctx context.Context, ev store.Event) { e.emit(ctx, ev) }
