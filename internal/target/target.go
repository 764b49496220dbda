// Package target defines the contract every target driver fulfils and a
// registry that maps a Target kind ("files", "kubernetes") to its driver.
//
// A driver is the only code that knows a kind of target. It plans (diffs
// desired against live, with a reason per action), applies exactly a plan,
// and may offer optional capabilities found by type assertion: HealthChecker,
// Watcher, Pruner.
package target

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

// Target is a place where an app's desired state is made real.
type Target interface {
	// Plan diffs desired against live. With prune set, objects the target's
	// inventory says the app owns but desired lacks become delete actions.
	Plan(ctx context.Context, app plumb.AppRef, desired plumb.Desired, prune bool) (plumb.Plan, error)
	// Apply executes exactly the plan; it is idempotent.
	Apply(ctx context.Context, plan plumb.Plan) (plumb.Result, error)
}

// HealthChecker is implemented by drivers that can tell an app's health.
type HealthChecker interface {
	Health(ctx context.Context, app plumb.AppRef) (plumb.Health, error)
}

// Watcher is implemented by drivers that see live changes to what an app
// owns. Watch blocks until ctx is done, calling changed for each drift.
type Watcher interface {
	Watch(ctx context.Context, app plumb.AppRef, changed func(plumb.Drift)) error
}

// ResourceLister is implemented by drivers that can tell the health of
// each object an app owns. Object names match the ones in the driver's
// plan actions.
type ResourceLister interface {
	Resources(ctx context.Context, app plumb.AppRef) ([]plumb.Resource, error)
}

// Deleter is implemented by drivers that can remove everything an app owns
// (used when an App with prune is removed from config).
type Deleter interface {
	Delete(ctx context.Context, app plumb.AppRef) (plumb.Result, error)
}

// Factory builds a driver from a validated Target; stateDir is a directory
// the driver may keep caches in.
type Factory func(ctx context.Context, t *config.Target, stateDir string) (Target, error)

var (
	mu       sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a driver available under kind. It panics on a duplicate,
// since that is a programming error.
func Register(kind string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[kind]; dup {
		panic("target: driver registered twice: " + kind)
	}
	registry[kind] = f
}

// New builds the driver registered for t.Kind.
func New(ctx context.Context, t *config.Target, stateDir string) (Target, error) {
	mu.RLock()
	f, ok := registry[t.Kind]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("target %q: unknown kind %q (known: %v)", t.Name, t.Kind, Kinds())
	}
	d, err := f(ctx, t, stateDir)
	if err != nil {
		return nil, fmt.Errorf("target %q (%s): %w", t.Name, t.Kind, err)
	}
	return d, nil
}

// Kinds lists the registered driver kinds, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
