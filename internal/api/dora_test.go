package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/dora"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
)

// doraNow is the daemon's clock in the DORA tests.
var doraNow = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func daysBefore(d float64) time.Time {
	return doraNow.Add(-time.Duration(d * 24 * float64(time.Hour)))
}

// doraSync is one sync for the DORA tests: it takes a minute and deploys
// rev, committed lead before it started, with one change.
type doraSync struct {
	app, rev string
	start    time.Time
	lead     time.Duration
	result   store.SyncResult
	health   plumb.HealthStatus
	trigger  plumb.Trigger
}

// doraHistory is the history the DORA API tests read.
var doraHistory = []doraSync{
	{"team-a-web", "r0", daysBefore(40), time.Hour, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRevision},
	{"team-a-web", "r1", daysBefore(10), time.Hour, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRevision},
	{"team-a-web", "r2", daysBefore(3), 2 * time.Hour, store.ResultSucceeded, plumb.HealthDegraded, plumb.TriggerRevision},
	{"team-a-web", "r1", daysBefore(3).Add(30 * time.Minute), 0, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRollback},
	{"team-b-db", "x", daysBefore(20), 5 * time.Hour, store.ResultFailed, "", plumb.TriggerRevision},
	{"team-b-db", "x", daysBefore(20).Add(time.Hour), 5 * time.Hour, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerInterval},
	{"gone-app", "g", daysBefore(1), time.Hour, store.ResultSucceeded, plumb.HealthHealthy, plumb.TriggerRevision},
}

// newDoraEnv serves GET /api/v1/dora on a real SQLite store holding
// doraHistory, with token authentication.
func newDoraEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range doraHistory {
		addDoraSync(t, db, s)
	}
	e := &env{db: db, eng: newFakeEngine()}
	srv := httptest.NewServer(api.DoraTestHandler(api.New(e.eng, db, auth.New(db), "test"), doraNow))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

func addDoraSync(t *testing.T, db *sqlite.DB, s doraSync) {
	t.Helper()
	ctx := context.Background()
	r := store.SyncRecord{App: s.app, Revision: s.rev, Trigger: s.trigger, StartedAt: s.start,
		Commit: plumb.Commit{Revision: s.rev, Time: s.start.Add(-s.lead)}}
	if err := db.StartSync(ctx, &r); err != nil {
		t.Fatal(err)
	}
	r.Result, r.Health, r.FinishedAt = s.result, s.health, s.start.Add(time.Minute)
	if s.result == store.ResultSucceeded {
		r.Actions = []plumb.ActionResult{{Action: plumb.Action{Type: plumb.ActionUpdate, Object: "web", Reason: plumb.ReasonChangedInGit}}}
	} else {
		r.Error = "apply failed"
	}
	if err := db.FinishSync(ctx, &r); err != nil {
		t.Fatal(err)
	}
}

func appNames(r dora.Report) []string {
	var out []string
	for _, a := range r.Apps {
		out = append(out, a.App)
	}
	return out
}

// TestDoraAPI asks for the DORA measures as callers with different rights
// and checks which apps the answer covers and its counts.
func TestDoraAPI(t *testing.T) {
	e := newDoraEnv(t)
	viewer := e.client(t, e.token(t, "viewer", "viewer"))
	teamB := e.client(t, e.token(t, "team-b", "viewer", "team-b-*"))
	ctx := context.Background()
	for _, c := range []struct {
		name        string
		client      *api.Client
		app, window string
		apps        []string
		deployments int
		failed      int
		attempts    int
	}{
		{name: "every app, default 30 days", client: viewer, apps: []string{"gone-app", "team-a-web", "team-b-db"}, deployments: 5, failed: 2, attempts: 6},
		{name: "one app", client: viewer, app: "team-a-web", apps: []string{"team-a-web"}, deployments: 3, failed: 1, attempts: 3},
		{name: "an app no longer in the config still has history", client: viewer, app: "gone-app", apps: []string{"gone-app"}, deployments: 1, attempts: 1},
		{name: "a shorter window", client: viewer, window: "7d", apps: []string{"gone-app", "team-a-web"}, deployments: 3, failed: 1, attempts: 3},
		{name: "a window in hours", client: viewer, window: "36h", apps: []string{"gone-app"}, deployments: 1, attempts: 1},
		{name: "a caller limited to some apps sees only those", client: teamB, apps: []string{"team-b-db"}, deployments: 1, failed: 1, attempts: 2},
		{name: "an app in the config without syncs", client: viewer, app: "team-b-db", window: "2w", deployments: 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := c.client.DORA(ctx, c.app, c.window)
			if err != nil {
				t.Fatal(err)
			}
			if got := appNames(rep); !slices.Equal(got, c.apps) {
				t.Errorf("apps %v, want %v", got, c.apps)
			}
			o := rep.Overall
			if o.Deployments != c.deployments || o.FailedAttempts != c.failed || o.Attempts != c.attempts {
				t.Errorf("overall %d deployments, %d/%d failed attempts; want %d, %d/%d",
					o.Deployments, o.FailedAttempts, o.Attempts, c.deployments, c.failed, c.attempts)
			}
			if !rep.To.Equal(doraNow) {
				t.Errorf("window ends %v, want the daemon's now %v", rep.To, doraNow)
			}
		})
	}
}

// TestDoraAPIMeasures checks one app's measures in full through the API.
func TestDoraAPIMeasures(t *testing.T) {
	e := newDoraEnv(t)
	rep, err := e.client(t, e.token(t, "viewer", "viewer")).DORA(context.Background(), "team-a-web", "30d")
	if err != nil {
		t.Fatal(err)
	}
	want := dora.Measures{
		Deployments: 3, DeploymentsPerDay: 0.1, Attempts: 3, FailedAttempts: 1, ChangeFailureRate: float64(1) / 3,
		LeadTime:      dora.Durations{Samples: 2, MedianSeconds: 5460, P90Seconds: 6900, Median: "1h31m", P90: "1h55m"},
		TimeToRestore: dora.Durations{Samples: 1, MedianSeconds: 1800, P90Seconds: 1800, Median: "30m", P90: "30m"},
	}
	if got, _ := rep.App("team-a-web"); got.Measures != want || rep.Overall != want {
		t.Errorf("team-a-web: %+v\noverall: %+v\nwant %+v", got.Measures, rep.Overall, want)
	}
	if rep.Days != 30 || !rep.From.Equal(daysBefore(30)) {
		t.Errorf("window %v – %v (%v days), want 30 days before %v", rep.From, rep.To, rep.Days, doraNow)
	}
}

// TestDoraAPIErrors checks the answers to requests that cannot be served.
func TestDoraAPIErrors(t *testing.T) {
	e := newDoraEnv(t)
	viewer := e.client(t, e.token(t, "viewer", "viewer"))
	teamB := e.client(t, e.token(t, "team-b", "viewer", "team-b-*"))
	anonymous := e.client(t, "")
	for _, c := range []struct {
		name        string
		client      *api.Client
		app, window string
		status      int
	}{
		{"no token", anonymous, "", "", http.StatusUnauthorized},
		{"another team's app", teamB, "team-a-web", "", http.StatusForbidden},
		{"unknown app", viewer, "nope", "", http.StatusNotFound},
		{"bad window", viewer, "", "soon", http.StatusBadRequest},
		{"zero window", viewer, "", "0d", http.StatusBadRequest},
		{"negative window", viewer, "", "-3d", http.StatusBadRequest},
		{"window too long", viewer, "", "400d", http.StatusBadRequest},
		{"window not a number of days", viewer, "", "NaNd", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.DORA(context.Background(), c.app, c.window)
			if status := doraStatus(err); status != c.status {
				t.Errorf("status %d (%v), want %d", status, err, c.status)
			}
		})
	}
}

// TestDoraAPIStoreWithoutHistory checks the answer of a daemon whose store
// cannot list syncs.
func TestDoraAPIStoreWithoutHistory(t *testing.T) {
	e := newDoraEnv(t)
	limited := struct{ api.Store }{e.db} // hides ListAllSyncs
	srv := httptest.NewServer(api.DoraTestHandler(api.New(e.eng, limited, nil, "test"), doraNow))
	defer srv.Close()
	c, err := api.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DORA(context.Background(), "", ""); doraStatus(err) != http.StatusNotImplemented {
		t.Errorf("got %v, want a 501", err)
	}
}

func doraStatus(err error) int {
	var ae *api.APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	if err == nil {
		return http.StatusOK
	}
	return 0
}

func TestParseWindow(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"", 30 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"2w", 14 * 24 * time.Hour},
		{"1.5d", 36 * time.Hour}, {"12h", 12 * time.Hour}, {"90m", 90 * time.Minute}, {"366d", api.MaxDORAWindow},
	} {
		if got, err := api.ParseWindow(c.in); err != nil || got != c.want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"d", "w", "x", "30", "367d", "53w", "0h", "-1d", "Infd", "1e300d"} {
		if got, err := api.ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) = %v, want an error", in, got)
		}
	}
}
