// Package engine is plumb's reconciler. It keeps every App's target in step
// with its Source: it polls sources, coalesces requests per app in a work
// queue, orders apps by dependsOn, reconciles each one
// (snapshot → render → plan → apply → prune → health → record) and reacts to
// drift reported by target watchers. Everything it does is recorded as typed
// data in the store; it never logs.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// Source is what the engine needs of a source of desired state.
type Source interface {
	Fetch(ctx context.Context) (plumb.Commit, error)
	Resolve(ctx context.Context) (plumb.Commit, error)
	Commit(ctx context.Context, rev string) (plumb.Commit, error)
	TreeHash(ctx context.Context, rev, path string) (string, error)
	ReadTree(ctx context.Context, rev, path string) ([]plumb.File, error)
}

// Renderer turns an app's path at a revision into desired state.
type Renderer interface {
	// InputHash identifies everything the rendering of the app at rev
	// depends on; equal hashes mean equal output.
	InputHash(ctx context.Context, src Source, rev string, app *config.App) (string, error)
	Render(ctx context.Context, src Source, rev string, app *config.App) (plumb.Desired, error)
}

// Store is the part of the store the engine writes to.
type Store interface {
	GetStatus(ctx context.Context, app string) (store.AppStatus, error)
	PutStatus(ctx context.Context, s store.AppStatus) error
	ListStatus(ctx context.Context) ([]store.AppStatus, error)
	DeleteStatus(ctx context.Context, app string) error
	StartSync(ctx context.Context, r *store.SyncRecord) error
	FinishSync(ctx context.Context, r *store.SyncRecord) error
	MarkInterrupted(ctx context.Context) (int, error)
	AddEvent(ctx context.Context, e *store.Event) error
	AddAudit(ctx context.Context, a store.AuditEntry) error
}

// Observer receives measurements of the engine's work, e.g. to export
// metrics. Calls must not block.
type Observer interface {
	// Reconciled is called after each reconcile; result is the record's
	// result, or "" when nothing was recorded (waiting, report-only).
	Reconciled(app string, trigger plumb.Trigger, result store.SyncResult, d time.Duration, err error)
	// Fetched is called after each fetch of a source.
	Fetched(source string, d time.Duration, err error)
	// Drifted is called for each change a target watcher reports.
	Drifted(app string, d plumb.Drift)
}

type noObserver struct{}

func (noObserver) Reconciled(string, plumb.Trigger, store.SyncResult, time.Duration, error) {}
func (noObserver) Fetched(string, time.Duration, error)                                     {}
func (noObserver) Drifted(string, plumb.Drift)                                              {}

// Options configure an Engine. Store, NewSource and NewTarget are required.
type Options struct {
	Store     Store
	NewSource func(ctx context.Context, s *config.Source) (Source, error)
	NewTarget func(ctx context.Context, t *config.Target) (target.Target, error)
	// Renderers by target kind; the "files" renderer is built in.
	Renderers map[string]Renderer
	// Concurrency is how many apps reconcile at once (default 4).
	Concurrency int
	// BackoffBase and BackoffMax bound retries after a failure
	// (defaults 2s and 5m).
	BackoffBase, BackoffMax time.Duration
	// HealthPoll is how often health is polled while waiting (default 500ms).
	HealthPoll time.Duration
	// Clock is injectable for tests (default the real clock).
	Clock clock.WithTicker
	// Observer receives measurements (default none).
	Observer Observer
	// QueueMetrics, when set, receives the work queue's metrics (depth,
	// latency, work duration) under the queue name "plumb".
	QueueMetrics workqueue.MetricsProvider
}

// Engine reconciles apps. Create it with New, give it a config with
// SetConfig and run it with Run.
type Engine struct {
	opts  Options
	clock clock.WithTicker
	queue workqueue.TypedRateLimitingInterface[string]
	cache *renderCache
	bus   *bus

	mu      sync.Mutex
	cfg     *config.Config
	sources map[string]*sourceState
	targets map[string]*targetState
	apps    map[string]*appState
	pending map[string]*request
	running map[string]*request
	ctx     context.Context // set by Run; parent of pollers and watchers
}

// ErrNotFound is returned for an app that is not in the config.
var ErrNotFound = errors.New("not found")

// ErrSuspended is returned when a manual sync is asked of a suspended app.
var ErrSuspended = errors.New("app is suspended")

// New returns an Engine with no config.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil || opts.NewSource == nil || opts.NewTarget == nil {
		return nil, errors.New("engine: Store, NewSource and NewTarget are required")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 2 * time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 5 * time.Minute
	}
	if opts.HealthPoll <= 0 {
		opts.HealthPoll = 500 * time.Millisecond
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.Renderers == nil {
		opts.Renderers = map[string]Renderer{}
	}
	if _, ok := opts.Renderers["files"]; !ok {
		opts.Renderers["files"] = FilesRenderer{}
	}
	limiter := workqueue.NewTypedItemExponentialFailureRateLimiter[string](opts.BackoffBase, opts.BackoffMax)
	e := &Engine{
		opts:    opts,
		clock:   opts.Clock,
		queue:   workqueue.NewTypedRateLimitingQueueWithConfig(limiter, queueConfig(opts)),
		cache:   newRenderCache(256),
		bus:     newBus(),
		cfg:     &config.Config{},
		sources: map[string]*sourceState{},
		targets: map[string]*targetState{},
		apps:    map[string]*appState{},
		pending: map[string]*request{},
		running: map[string]*request{},
	}
	return e, nil
}

// Run starts the workers, pollers and watchers and blocks until ctx ends.
// SetConfig may be called before or while Run runs.
func (e *Engine) Run(ctx context.Context) error {
	if n, err := e.opts.Store.MarkInterrupted(ctx); err != nil {
		return fmt.Errorf("mark interrupted syncs: %w", err)
	} else if n > 0 {
		e.emit(ctx, store.Event{Type: EventInterrupted, Message: fmt.Sprintf("%d sync(s) were interrupted by a restart; reconciling again", n)})
	}
	e.mu.Lock()
	e.ctx = ctx
	e.startAllLocked(ctx)
	e.mu.Unlock()

	var wg sync.WaitGroup
	for range e.opts.Concurrency {
		wg.Go(func() { e.work(ctx) })
	}
	<-ctx.Done()
	e.queue.ShutDown()
	e.mu.Lock()
	e.stopAllLocked()
	e.mu.Unlock()
	wg.Wait()
	return nil
}

// Config returns the config the engine runs.
func (e *Engine) Config() *config.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// Subscribe returns a channel of every event the engine emits from now on,
// and a function that ends the subscription.
func (e *Engine) Subscribe() (<-chan store.Event, func()) { return e.bus.subscribe() }

func queueConfig(opts Options) workqueue.TypedRateLimitingQueueConfig[string] {
	c := workqueue.TypedRateLimitingQueueConfig[string]{Clock: opts.Clock}
	if opts.QueueMetrics != nil {
		c.Name, c.MetricsProvider = "plumb", opts.QueueMetrics
	}
	return c
}
