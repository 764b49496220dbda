package dora

import (
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// t0 is the start of the test window; windows are 10 days from it.
var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// from and to bound the test window: 10 days.
var from, to = t0, t0.Add(10 * 24 * time.Hour)

// at returns the time h hours after t0.
func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

// hours returns h hours as a duration.
func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// opt changes a record built by rec.
type opt func(*store.SyncRecord)

// rec builds a record of app at rev that started h hours after t0 and took
// a minute. A succeeded record is, unless opts say otherwise, a deployment
// for a revision trigger that changed one object because Git changed it and
// ended Healthy; a failed one has no actions. Record IDs follow h.
func rec(app, rev string, res store.SyncResult, h float64, opts ...opt) store.SyncRecord {
	r := store.SyncRecord{
		ID: int64(h*60) + 1, App: app, Revision: rev, Commit: plumb.Commit{Revision: rev},
		Trigger: plumb.TriggerRevision, StartedAt: at(h), FinishedAt: at(h).Add(time.Minute), Result: res,
	}
	if res == store.ResultSucceeded {
		r.Health = plumb.HealthHealthy
		r.Actions = []plumb.ActionResult{{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "web", Reason: plumb.ReasonChangedInGit}}}
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func ok(app, rev string, h float64, opts ...opt) store.SyncRecord {
	return rec(app, rev, store.ResultSucceeded, h, opts...)
}

func failed(app, rev string, h float64, opts ...opt) store.SyncRecord {
	return rec(app, rev, store.ResultFailed, h, opts...)
}

// trigger sets the trigger.
func trigger(t plumb.Trigger) opt { return func(r *store.SyncRecord) { r.Trigger = t } }

// health sets the health the sync ended with.
func health(h plumb.HealthStatus) opt { return func(r *store.SyncRecord) { r.Health = h } }

// committed sets the commit time to h hours after t0.
func committed(h float64) opt { return func(r *store.SyncRecord) { r.Commit.Time = at(h) } }

// result overrides the result.
func result(res store.SyncResult) opt { return func(r *store.SyncRecord) { r.Result = res } }

// driftOnly makes every action a drift correction.
func driftOnly(r *store.SyncRecord) {
	r.Actions = []plumb.ActionResult{
		{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "web", Reason: plumb.ReasonDrifted, Detail: "kubectl-edit (Update) changed spec.replicas 3→5"}},
		{Action: plumb.Action{Type: plumb.ActionCreate, Object: "cm", Reason: plumb.ReasonMissingLive}},
	}
}

// unchangedOnly makes the record change nothing.
func unchangedOnly(r *store.SyncRecord) {
	r.Actions = []plumb.ActionResult{{Action: plumb.Action{Type: plumb.ActionUnchanged, Object: "web", Reason: plumb.ReasonUpToDate}}}
}

// dur is the Durations of n samples with the given median and p90.
func dur(n int, med, p90 time.Duration) Durations {
	return Durations{Samples: n, MedianSeconds: med.Seconds(), P90Seconds: p90.Seconds(), Median: Human(med), P90: Human(p90)}
}
