package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// t0 is the fake clock's starting time.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// dbPath returns a database path in a fresh temp dir.
func dbPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "plumb.db")
}

// openAt opens the database at path with clock c, closing it at test end.
func openAt(t *testing.T, path string, c *clock) *DB {
	t.Helper()
	d, err := Open(context.Background(), path, WithClock(c.Now))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// openTest opens a new database in a temp dir with a fake clock.
func openTest(t *testing.T) (*DB, *clock) {
	t.Helper()
	c := newClock()
	return openAt(t, dbPath(t), c), c
}

func mustEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// fullStatus returns a status with every field set.
func fullStatus(app string) store.AppStatus {
	return store.AppStatus{
		App: app, Sync: plumb.SyncOutOfSync, Health: plumb.HealthDegraded, HealthMessage: "Deployment/web: 1/2 ready",
		Revision: "0123456789abcdef0123456789abcdef01234567",
		Commit: plumb.Commit{Revision: "0123456789abcdef0123456789abcdef01234567", Author: "Ada", Email: "ada@example.com",
			Message: "bump web\n\nto 1.2.3", Time: t0.Add(-time.Hour)},
		InputHash: "tree-1", SourceRevision: "fedcba9876543210fedcba9876543210fedcba98",
		LastSyncAt: t0.Add(-time.Minute), LastAttemptAt: t0.Add(-time.Second), LastError: "apply: boom", Failures: 3,
		Suspended: true, SuspendReason: "maintenance", PinnedRevision: "0123456",
		Drift:   []plumb.Drift{{Object: "apps/v1/Deployment/prod/web", Detail: "replicas 2 -> 3 by kubectl"}},
		DriftAt: t0.Add(-2 * time.Second), Target: "prod", Source: "platform", Path: "apps/web",
		UpdatedAt: t0.Add(-3 * time.Second),
	}
}

// fullSync returns a finished sync with every field but ID set.
func fullSync(app, rev string, result store.SyncResult) store.SyncRecord {
	return store.SyncRecord{
		App: app, Revision: rev, Commit: plumb.Commit{Revision: rev, Author: "Ada", Message: "change", Time: t0},
		InputHash: "tree-" + rev, Trigger: plumb.TriggerRevision, Reason: "new revision " + plumb.Short(rev),
		Actor: "", StartedAt: t0, FinishedAt: t0.Add(1500 * time.Millisecond), Result: result, Error: "",
		Actions: []plumb.ActionResult{
			{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "apps/v1/Deployment/prod/web",
				Reason: plumb.ReasonChangedInGit, Diff: "-image: a\n+image: b"}},
			{Action: plumb.Action{Type: plumb.ActionCreate, Object: "v1/ConfigMap/prod/cfg",
				Reason: plumb.ReasonAddedInGit}, Error: "forbidden"},
		},
		Hooks:  []plumb.HookRun{{Name: "smoke", Command: "curl -f http://web", ExitCode: 0, Output: "ok", Duration: 250 * time.Millisecond}},
		Health: plumb.HealthHealthy,
	}
}

// addSync starts and finishes a sync of app at rev with result r, started at
// the clock's time, and returns it.
func addSync(t *testing.T, d *DB, app, rev string, r store.SyncResult) store.SyncRecord {
	t.Helper()
	ctx := context.Background()
	rec := &store.SyncRecord{App: app, Revision: rev, Trigger: plumb.TriggerRevision}
	if err := d.StartSync(ctx, rec); err != nil {
		t.Fatalf("StartSync: %v", err)
	}
	if r == store.ResultRunning {
		return *rec
	}
	rec.Result = r
	if err := d.FinishSync(ctx, rec); err != nil {
		t.Fatalf("FinishSync: %v", err)
	}
	return *rec
}

// ids returns the IDs of records.
func ids[T any](list []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, v := range list {
		out = append(out, id(v))
	}
	return out
}

func syncID(r store.SyncRecord) int64  { return r.ID }
func eventID(e store.Event) int64      { return e.ID }
func auditID(e store.AuditEntry) int64 { return e.ID }
