package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// TestAppStatusGauges writes statuses to a real store and checks that a
// scrape shows exactly the current state of each app.
func TestAppStatusGauges(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	synced := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, st := range []store.AppStatus{
		{App: "web", Sync: plumb.SyncSynced, Health: plumb.HealthHealthy, LastSyncAt: synced},
		{App: "db", Sync: plumb.SyncFailed, Health: plumb.HealthDegraded, LastSyncAt: synced.Add(-time.Hour)},
		{App: "new"}, // never reconciled
	} {
		if err := db.PutStatus(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	m := New(Options{Status: db})
	golden(t, "status.txt", series(scrape(t, m.Handler()), "plumb_app_"))

	// A change of state replaces the series; it does not add one.
	if err := db.PutStatus(ctx, store.AppStatus{App: "db", Sync: plumb.SyncSynced, Health: plumb.HealthHealthy, LastSyncAt: synced}); err != nil {
		t.Fatal(err)
	}
	got := series(scrape(t, m.Handler()), "plumb_app_sync_status{app=\"db\"", "plumb_app_health_status{app=\"db\"")
	want := "plumb_app_health_status{app=\"db\",status=\"Healthy\"} 1\nplumb_app_sync_status{app=\"db\",status=\"Synced\"} 1\n"
	if got != want {
		t.Errorf("after db recovered, got\n%swant\n%s", got, want)
	}
}

// TestScrapeSurvivesStoreErrors closes the store: the app and DORA series
// are left out and everything else is still served.
func TestScrapeSurvivesStoreErrors(t *testing.T) {
	db := openDB(t)
	m := New(Options{Status: db, Syncs: db})
	m.Fetched("site", time.Second, nil)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	body := scrape(t, m.Handler())
	if !strings.Contains(body, "\nplumb_git_fetch_duration_seconds_count{source=\"site\"} 1\n") {
		t.Errorf("scrape lost the other series:\n%s", series(body, "plumb_"))
	}
	if s := series(body, "plumb_app_", "plumb_dora_"); s != "\n" {
		t.Errorf("series from a closed store:\n%s", s)
	}
}
