package daemon

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/generate"
	"plumb.dev/plumb/internal/automation/image"
	"plumb.dev/plumb/internal/automation/promote"
	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/store"
)

// automation is the part of the daemon that writes to Git or makes apps:
// image updates, promotions and AppSet expansion.
//
// The config the loader reads (the base) is expanded before the engine
// gets it: every AppSet's generated Sources, Targets and Apps are merged
// in (generate.Expander keeps each AppSet's last good output, so a failing
// generator deletes nothing). apply is the one way a config reaches the
// engine: on load, on a config change and when a generator's output
// changes; it is serialized so that the two paths never race.
type automation struct {
	d       *daemon
	writer  *writeback.Writer
	images  *image.Automation
	gen     *generate.Expander
	promote *promote.Promoter

	mu      sync.Mutex
	base    *config.Config
	applied uint64 // the expander generation last applied
}

// newAutomation builds the automation parts; state lives under
// STATE/automation.
func newAutomation(d *daemon) *automation {
	dir := filepath.Join(d.o.StateDir, "automation")
	a := &automation{d: d, writer: writeback.New(filepath.Join(dir, "writeback"))}
	emit := func(ctx context.Context, ev store.Event) { d.eng.Emit(context.WithoutCancel(ctx), ev) }
	a.images = image.New(image.Options{Writer: a.writer, Emit: emit, Pushed: a.pushed})
	a.gen = generate.New(generate.Options{Dir: filepath.Join(dir, "generate"), Emit: emit})
	a.promote = promote.New(promote.Options{Writer: a.writer, Config: d.eng.Config, Deployed: a.deployed, Pushed: a.pushed})
	return a
}

// expand merges the AppSets' outputs into base; failures are reported as
// events and the AppSets' last good outputs used.
func (a *automation) expand(ctx context.Context, base *config.Config) *config.Config {
	cfg, err := a.gen.Expand(ctx, base)
	if err != nil {
		a.d.o.Logger.Warn("app sets", "err", err)
	}
	return cfg
}

// apply expands base and makes it the engine's config (and the image
// automation's). The engine refusing it is an error; nothing changed.
func (a *automation) apply(ctx context.Context, base *config.Config) (*config.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	cfg := a.expand(ctx, base)
	gen := a.gen.Generation()
	if err := a.d.eng.SetConfig(ctx, cfg); err != nil {
		return nil, err
	}
	a.base, a.applied = base, gen
	a.images.SetConfig(cfg)
	return cfg, nil
}

// run runs the image automation, and re-expands the base config every
// second, applying it when a generator's output changed.
func (a *automation) run(ctx context.Context) {
	go func() { _ = a.images.Run(ctx) }()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.refresh(ctx)
	}
}

// refresh re-runs due generators and applies a changed output.
func (a *automation) refresh(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.base == nil || len(a.base.AppSets) == 0 && a.applied == a.gen.Generation() {
		return
	}
	cfg := a.expand(ctx, a.base)
	if gen := a.gen.Generation(); gen != a.applied {
		if err := a.d.eng.SetConfig(ctx, cfg); err != nil {
			a.d.eng.Emit(ctx, store.Event{Type: engine.EventConfigFailed, Message: "generated apps not applied: " + err.Error()})
			return
		}
		a.applied = gen
		a.images.SetConfig(cfg)
	}
}

// pushed fetches at once every source following branch of url, so that
// a commit plumb pushed is deployed without waiting for the next poll.
func (a *automation) pushed(ctx context.Context, url, branch string) {
	for _, s := range a.d.eng.Config().Sources {
		if s.Git != nil && s.Git.URL == url && s.Git.Branch == branch {
			go func() { _, _ = a.d.eng.FetchSource(context.WithoutCancel(ctx), s.Name, plumb.TriggerRevision) }()
		}
	}
}

// deployed returns the revision an app last applied.
func (a *automation) deployed(ctx context.Context, app string) (string, error) {
	st, err := a.d.db.GetStatus(ctx, app)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return st.Revision, err
}

// promotingEngine is the engine with the promotion capability the API's
// promote route looks for.
type promotingEngine struct {
	*engine.Engine
	p *promote.Promoter
}

// Promote writes a promotion to Git.
func (e promotingEngine) Promote(ctx context.Context, req promote.Request) (promote.Result, error) {
	return e.p.Promote(ctx, req)
}
