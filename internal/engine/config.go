package engine

import (
	"context"
	"fmt"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/target"
)

// SetConfig makes cfg the running config. Sources, targets and apps that
// are new start; those that changed restart and reconcile; apps removed
// from cfg stop, and what they own is deleted when they had prune set.
// Drivers are built before anything changes, so a config whose target
// cannot be built changes nothing.
func (e *Engine) SetConfig(ctx context.Context, cfg *config.Config) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	targets, err := e.buildTargetsLocked(ctx, cfg)
	if err != nil {
		return err
	}
	sources, err := e.buildSourcesLocked(ctx, cfg)
	if err != nil {
		return err
	}
	old := e.cfg
	removed := e.removedAppsLocked(cfg)
	e.cfg, e.targets = cfg, targets
	for name, s := range e.sources {
		if sources[name] != s && s.cancel != nil {
			s.cancel()
		}
	}
	e.sources = sources
	e.syncAppsLocked(old, cfg)
	if e.ctx != nil {
		e.startAllLocked(e.ctx)
	}
	for _, r := range removed {
		go e.removeApp(context.WithoutCancel(ctx), r)
	}
	return nil
}

func (e *Engine) buildTargetsLocked(ctx context.Context, cfg *config.Config) (map[string]*targetState, error) {
	out := map[string]*targetState{}
	for _, t := range cfg.Targets {
		if cur, ok := e.targets[t.Name]; ok && cur.cfg.Equal(t) {
			out[t.Name] = cur
			continue
		}
		d, err := e.opts.NewTarget(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("build target %s (%s): %w", t.Name, t.Pos, err)
		}
		out[t.Name] = &targetState{cfg: t, driver: d}
	}
	return out, nil
}

func (e *Engine) buildSourcesLocked(ctx context.Context, cfg *config.Config) (map[string]*sourceState, error) {
	out := map[string]*sourceState{}
	for _, s := range cfg.Sources {
		if cur, ok := e.sources[s.Name]; ok && cur.cfg.Equal(s) {
			out[s.Name] = cur
			continue
		}
		src, err := e.opts.NewSource(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("build source %s (%s): %w", s.Name, s.Pos, err)
		}
		out[s.Name] = &sourceState{cfg: s, src: src, kick: make(chan struct{}, 1)}
	}
	return out, nil
}

// removedApp is an app that left the config, with what is needed to prune it.
type removedApp struct {
	cfg    *config.App
	driver target.Target
}

func (e *Engine) removedAppsLocked(cfg *config.Config) []removedApp {
	var out []removedApp
	for name, a := range e.apps {
		if cfg.App(name) != nil {
			continue
		}
		var d target.Target
		if t, ok := e.targets[a.cfg.Target]; ok {
			d = t.driver
		}
		out = append(out, removedApp{cfg: a.cfg, driver: d})
	}
	return out
}

// syncAppsLocked updates the app table: stops removed and changed apps and
// queues new and changed ones.
func (e *Engine) syncAppsLocked(old, cfg *config.Config) {
	for name, a := range e.apps {
		n := cfg.App(name)
		if n != nil && a.cfg.Equal(n) && e.depsUnchanged(old, cfg, n) {
			continue
		}
		if a.cancelWatch != nil {
			a.cancelWatch()
		}
		delete(e.apps, name)
	}
	for _, a := range cfg.Apps {
		if _, ok := e.apps[a.Name]; ok {
			continue
		}
		e.apps[a.Name] = &appState{cfg: a}
		e.enqueueLocked(a.Name, &request{trigger: plumb.TriggerConfig, reason: "app added or changed in config"})
	}
}

// depsUnchanged reports whether the app's source and target are the same
// objects as before (a changed source or target restarts the app).
func (e *Engine) depsUnchanged(old, cfg *config.Config, a *config.App) bool {
	return old.Source(a.Source).Equal(cfg.Source(a.Source)) && old.Target(a.Target).Equal(cfg.Target(a.Target))
}

// removeApp deletes what a removed app owned (when it had prune) and
// records it.
func (e *Engine) removeApp(ctx context.Context, r removedApp) {
	name := r.cfg.Name
	msg := "app removed from config; its objects were kept (prune is off)"
	del, canDelete := r.driver.(target.Deleter)
	if r.cfg.Prune && canDelete {
		rec := &store.SyncRecord{App: name, Trigger: plumb.TriggerConfig, Reason: "app removed from config", StartedAt: e.clock.Now()}
		_ = e.opts.Store.StartSync(ctx, rec)
		res, err := del.Delete(ctx, plumb.AppRef{Name: name, Namespace: r.cfg.Namespace})
		rec.Actions, rec.Hooks, rec.FinishedAt = res.Actions, res.Hooks, e.clock.Now()
		rec.Result = store.ResultSucceeded
		msg = fmt.Sprintf("app removed from config; %d object(s) pruned", len(res.Actions))
		if err != nil {
			rec.Result, rec.Error = store.ResultFailed, err.Error()
			msg = "app removed from config; pruning failed: " + err.Error()
		}
		_ = e.opts.Store.FinishSync(ctx, rec)
	}
	_ = e.opts.Store.DeleteStatus(ctx, name)
	e.emit(ctx, store.Event{App: name, Type: EventAppRemoved, Message: msg})
}
