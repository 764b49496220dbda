package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// apply executes a plan, waits for health and records the sync. rctx
// bounds the work by the app's timeout; ctx outlives it for recording.
func (e *Engine) apply(rctx, ctx context.Context, r *run, plan plumb.Plan) (store.SyncRecord, time.Duration, error) {
	rec := e.newRecord(r)
	_ = e.opts.Store.StartSync(ctx, &rec)
	r.st.Sync = plumb.SyncSyncing
	e.putStatus(ctx, &r.st)

	res, err := r.tgt.driver.Apply(rctx, plan)
	rec.Hooks = res.Hooks
	rec.Actions = changed(res.Actions)
	if len(res.Actions) == 0 {
		rec.Actions = changed(asResults(plan.Actions))
	}
	if err != nil {
		return e.fail(ctx, r, &rec, "apply", err)
	}
	drift := r.app.takeDrift()
	health, pending := e.healthAfterApply(rctx, r)
	rec.Health = health.Status
	rec.Hooks = append(rec.Hooks, health.Hooks...)
	rec.Result = store.ResultSucceeded
	rec.FinishedAt = e.clock.Now()
	_ = e.opts.Store.FinishSync(ctx, &rec)
	if pending {
		e.settleLater(r, rec)
	} else {
		r.app.clearSettling()
	}

	e.markSynced(ctx, r, health)
	e.emit(ctx, store.Event{App: r.name, Type: EventSyncSucceeded, Revision: rec.Revision, Message: summary(r, plan)})
	if corrected := driftCorrected(plan); corrected != "" {
		e.emit(ctx, store.Event{App: r.name, Type: EventDriftCorrected, Revision: rec.Revision, Message: corrected, Detail: driftDetail(drift)})
	}
	return rec, 0, nil
}

func (e *Engine) newRecord(r *run) store.SyncRecord {
	return store.SyncRecord{
		App: r.name, Revision: r.commit.Revision, Commit: r.commit, InputHash: r.hash,
		Trigger: r.req.trigger, Reason: r.req.reason, Actor: r.req.actor, StartedAt: e.clock.Now(),
	}
}

// markSynced records that the target matches the run's revision.
func (e *Engine) markSynced(ctx context.Context, r *run, health plumb.Health) {
	prev := r.st.Health
	now := e.clock.Now()
	r.st.Sync, r.st.Revision, r.st.Commit, r.st.InputHash = plumb.SyncSynced, r.commit.Revision, r.commit, r.hash
	r.st.LastSyncAt, r.st.LastAttemptAt, r.st.LastError, r.st.Failures = now, now, "", 0
	r.st.Drift, r.st.DriftAt = nil, now
	if c, _ := r.src.current(); c.Revision != "" {
		r.st.SourceRevision = c.Revision
	}
	if health.Status != "" {
		r.st.Health, r.st.HealthMessage = health.Status, healthMessage(health)
	}
	e.putStatus(ctx, &r.st)
	e.healthEvents(ctx, r, prev)
}

func (e *Engine) healthEvents(ctx context.Context, r *run, prev plumb.HealthStatus) {
	cur := r.st.Health
	switch {
	case cur == plumb.HealthDegraded && prev != plumb.HealthDegraded:
		e.emit(ctx, store.Event{App: r.name, Type: EventHealthDegraded, Revision: r.commit.Revision, Message: "health degraded: " + r.st.HealthMessage})
	case cur == plumb.HealthHealthy && (prev == plumb.HealthDegraded || prev == plumb.HealthMissing):
		e.emit(ctx, store.Event{App: r.name, Type: EventHealthRecover, Revision: r.commit.Revision, Message: "health recovered"})
	}
}

// noop records a reconcile that found the target already matching Git.
func (e *Engine) noop(ctx context.Context, r *run) (store.SyncRecord, time.Duration, error) {
	var rec store.SyncRecord
	sameInput := r.hash == r.st.InputHash
	movedRev := r.commit.Revision != r.st.Revision
	switch {
	case r.req.trigger == plumb.TriggerManual || r.req.trigger == plumb.TriggerRollback:
		rec = e.newRecord(r)
		rec.Result = store.ResultNoop
		rec.Reason = joinReason(r.req.reason, "target already matches "+r.commit.ShortRevision())
	case movedRev && sameInput && r.st.Revision != "":
		rec = e.newRecord(r)
		rec.Result = store.ResultSkipped
		rec.Reason = fmt.Sprintf("%s does not change %s/ (input %s unchanged since %s)", r.commit.ShortRevision(), r.cfg.Path, plumb.Short(r.hash), plumb.Short(r.st.Revision))
	}
	if result := rec.Result; result != "" {
		_ = e.opts.Store.StartSync(ctx, &rec)
		rec.Result, rec.FinishedAt = result, e.clock.Now()
		_ = e.opts.Store.FinishSync(ctx, &rec)
		if rec.Result == store.ResultSkipped {
			e.emit(ctx, store.Event{App: r.name, Type: EventSyncSkipped, Revision: rec.Revision, Message: rec.Reason})
		}
	}
	r.app.takeDrift()
	health, _ := healthOf(ctx, r.tgt.driver, r.ref())
	health = e.checkSettling(ctx, r, health)
	e.markSynced(ctx, r, health)
	return rec, 0, nil
}

// reportDrift marks the app OutOfSync without touching the target.
func (e *Engine) reportDrift(ctx context.Context, r *run, plan plumb.Plan) (store.SyncRecord, time.Duration, error) {
	drift := map[string]plumb.Drift{}
	for _, a := range plan.Actions {
		if a.Changes() {
			drift[a.Object] = plumb.Drift{Object: a.Object, Detail: firstNonEmpty(a.Detail, string(a.Reason))}
		}
	}
	was := r.st.Sync
	r.st.Sync = plumb.SyncOutOfSync
	r.st.Drift = driftList(drift)
	r.st.DriftAt = e.clock.Now()
	r.st.LastAttemptAt = e.clock.Now()
	e.putStatus(ctx, &r.st)
	if was != plumb.SyncOutOfSync && r.req.trigger != plumb.TriggerDrift {
		e.emit(ctx, store.Event{App: r.name, Type: EventDriftDetected, Revision: r.st.Revision, Message: fmt.Sprintf("%d object(s) drifted; selfHeal is off, so they are reported, not corrected", len(drift)), Detail: driftDetail(drift)})
	}
	return store.SyncRecord{}, 0, nil
}

// fail records a failed reconcile. The target keeps its last applied state.
func (e *Engine) fail(ctx context.Context, r *run, rec *store.SyncRecord, step string, err error) (store.SyncRecord, time.Duration, error) {
	err = fmt.Errorf("%s %s at %s: %w", step, r.name, r.commit.ShortRevision(), err)
	repeat := r.st.LastError == err.Error() && r.req.trigger == plumb.TriggerInterval
	if rec == nil && !repeat {
		nr := e.newRecord(r)
		rec = &nr
		_ = e.opts.Store.StartSync(ctx, rec)
	}
	if rec != nil {
		rec.Result, rec.Error, rec.FinishedAt = store.ResultFailed, err.Error(), e.clock.Now()
		_ = e.opts.Store.FinishSync(ctx, rec)
	}
	r.st.Sync, r.st.LastError, r.st.LastAttemptAt = plumb.SyncFailed, err.Error(), e.clock.Now()
	r.st.Failures++
	e.putStatus(ctx, &r.st)
	if !repeat {
		e.emit(ctx, store.Event{App: r.name, Type: EventSyncFailed, Revision: r.commit.Revision, Message: err.Error()})
	}
	if rec == nil {
		return store.SyncRecord{}, 0, err
	}
	return *rec, 0, err
}

func summary(r *run, p plumb.Plan) string {
	return fmt.Sprintf("applied %s (%s): %d created, %d updated, %d deleted",
		r.commit.ShortRevision(), firstLine(r.commit.Message),
		p.Count(plumb.ActionCreate), p.Count(plumb.ActionUpdate), p.Count(plumb.ActionDelete))
}

// driftCorrected describes the drift a plan undid, or "" if none.
func driftCorrected(p plumb.Plan) string {
	var objs []string
	for _, a := range p.Actions {
		if a.Changes() && (a.Reason == plumb.ReasonDrifted || a.Reason == plumb.ReasonMissingLive) {
			objs = append(objs, a.Object)
		}
	}
	if len(objs) == 0 {
		return ""
	}
	return "drift corrected: " + strings.Join(objs, ", ")
}

func driftList(m map[string]plumb.Drift) []plumb.Drift {
	out := make([]plumb.Drift, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Object < out[j].Object })
	return out
}

func driftDetail(m map[string]plumb.Drift) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, d := range m {
		out[k] = d.Detail
	}
	return out
}

func healthMessage(h plumb.Health) string {
	if h.Object != "" && h.Message != "" {
		return h.Object + ": " + h.Message
	}
	return firstNonEmpty(h.Message, h.Object)
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
