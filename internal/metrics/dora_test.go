package metrics

import (
	"context"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// now is the scrape time of the DORA tests.
var now = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// addSync records a finished sync in db: it started at start, took a
// minute, and deployed rev (committed lead before start) with one change.
func addSync(t *testing.T, db interface {
	StartSync(context.Context, *store.SyncRecord) error
	FinishSync(context.Context, *store.SyncRecord) error
}, r store.SyncRecord, lead time.Duration) {
	t.Helper()
	ctx := context.Background()
	r.Commit = plumb.Commit{Revision: r.Revision, Time: r.StartedAt.Add(-lead)}
	if r.Trigger == "" {
		r.Trigger = plumb.TriggerRevision
	}
	res, health := r.Result, r.Health
	if err := db.StartSync(ctx, &r); err != nil {
		t.Fatal(err)
	}
	r.Result, r.Health, r.FinishedAt = res, health, r.StartedAt.Add(time.Minute)
	if res == store.ResultSucceeded {
		r.Actions = []plumb.ActionResult{{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "web", Reason: plumb.ReasonChangedInGit}}}
	}
	if err := db.FinishSync(ctx, &r); err != nil {
		t.Fatal(err)
	}
}

func daysAgo(d float64) time.Time { return now.Add(-time.Duration(d * 24 * float64(time.Hour))) }

// TestDORAGauges fills a real store with a month of history and checks the
// plumb_dora_* series, and that a computation is reused for DORAEvery.
func TestDORAGauges(t *testing.T) {
	db := openDB(t)
	ok, failed, healthy := store.ResultSucceeded, store.ResultFailed, plumb.HealthHealthy
	for _, c := range []struct {
		r    store.SyncRecord
		lead time.Duration
	}{
		{store.SyncRecord{App: "old", Revision: "z", StartedAt: daysAgo(40), Result: ok, Health: healthy}, time.Hour},
		{store.SyncRecord{App: "web", Revision: "a", StartedAt: daysAgo(10), Result: ok, Health: healthy}, time.Hour},
		{store.SyncRecord{App: "web", Revision: "b", StartedAt: daysAgo(5), Result: ok, Health: plumb.HealthDegraded}, 2 * time.Hour},
		{store.SyncRecord{App: "web", Revision: "a", StartedAt: daysAgo(5).Add(30 * time.Minute), Result: ok, Health: healthy, Trigger: plumb.TriggerRollback}, 0},
		{store.SyncRecord{App: "db", Revision: "x", StartedAt: daysAgo(2), Result: failed}, 3 * time.Hour},
		{store.SyncRecord{App: "db", Revision: "x", StartedAt: daysAgo(2).Add(time.Hour), Result: ok, Health: healthy, Trigger: plumb.TriggerInterval}, 4 * time.Hour},
		{store.SyncRecord{App: "db", Revision: "y", StartedAt: daysAgo(1), Result: failed}, time.Hour},
	} {
		addSync(t, db, c.r, c.lead)
	}
	clk := &clock{t: now}
	m := New(Options{Syncs: db, Now: clk.Now})
	golden(t, "dora.txt", series(scrape(t, m.Handler()), "plumb_dora_"))

	addSync(t, db, store.SyncRecord{App: "web", Revision: "c", StartedAt: daysAgo(0.5), Result: ok, Health: healthy}, time.Hour)
	webDeployments := func() string {
		return series(scrape(t, m.Handler()), `plumb_dora_deployments{app="web"}`)
	}
	if got, want := webDeployments(), "plumb_dora_deployments{app=\"web\"} 3\n"; got != want {
		t.Errorf("within DORAEvery of the last scrape: %q, want the cached %q", got, want)
	}
	clk.Add(time.Minute)
	if got, want := webDeployments(), "plumb_dora_deployments{app=\"web\"} 4\n"; got != want {
		t.Errorf("DORAEvery after the last scrape: %q, want %q", got, want)
	}
}
