package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
)

// fakeEngine answers every engine call at once and counts the calls; the
// tests here are about who may call, not what the engine does.
type fakeEngine struct {
	cfg   *config.Config
	mu    sync.Mutex
	calls []string // "Sync team-a-web by ci"
}

func newFakeEngine() *fakeEngine {
	app := func(name string) *config.App {
		return &config.App{Name: name, Source: "site", Target: "local", Path: name}
	}
	return &fakeEngine{cfg: &config.Config{
		Sources: []*config.Source{{Name: "site", Git: &config.GitSource{URL: "https://git.example.com/site.git", Branch: "main"}}},
		Targets: []*config.Target{{Name: "local", Kind: "files", Files: &config.FilesTarget{Root: "/srv"}}},
		Apps:    []*config.App{app("team-a-web"), app("team-b-db")},
	}}
}

func (e *fakeEngine) record(call string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, call)
}

// Calls returns the calls so far.
func (e *fakeEngine) Calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

func (e *fakeEngine) Config() *config.Config { return e.cfg }

func (e *fakeEngine) Sync(_ context.Context, app, actor string) (store.SyncRecord, error) {
	e.record("Sync " + app + " by " + actor)
	return store.SyncRecord{ID: 1, App: app, Actor: actor, Trigger: plumb.TriggerManual, Result: store.ResultSucceeded}, nil
}

func (e *fakeEngine) Rollback(_ context.Context, app, rev, actor string) (store.SyncRecord, error) {
	e.record("Rollback " + app + " by " + actor)
	return store.SyncRecord{ID: 2, App: app, Revision: rev, Actor: actor, Trigger: plumb.TriggerRollback, Result: store.ResultSucceeded}, nil
}

func (e *fakeEngine) Suspend(_ context.Context, app, actor string) (store.AppStatus, error) {
	e.record("Suspend " + app + " by " + actor)
	return store.AppStatus{App: app, Suspended: true}, nil
}

func (e *fakeEngine) Resume(_ context.Context, app, actor string) (store.AppStatus, error) {
	e.record("Resume " + app + " by " + actor)
	return store.AppStatus{App: app}, nil
}

func (e *fakeEngine) Diff(_ context.Context, app string) (plumb.Plan, error) {
	return plumb.Plan{App: plumb.AppRef{Name: app}}, nil
}

func (e *fakeEngine) Render(_ context.Context, app string) (plumb.Desired, error) {
	return plumb.Desired{Revision: "abc", Files: []plumb.File{{Path: "index.html", Mode: 0o644, Data: []byte("hi")}}}, nil
}

func (e *fakeEngine) Subscribe() (<-chan store.Event, func()) {
	ch := make(chan store.Event)
	return ch, func() {}
}

// env is an API server on a real SQLite store with token authentication.
type env struct {
	db  *sqlite.DB
	eng *fakeEngine
	url string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, app := range []string{"team-a-web", "team-b-db"} {
		if err := db.AddEvent(ctx, &store.Event{App: app, Type: "sync-succeeded", Message: "synced " + app}); err != nil {
			t.Fatal(err)
		}
	}
	eng := newFakeEngine()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("plumb_up 1\n")) })
	srv := httptest.NewServer(api.New(eng, db, auth.New(db), "test").WithMetrics(metrics).Handler())
	t.Cleanup(srv.Close)
	return &env{db: db, eng: eng, url: srv.URL}
}

// token creates a token and returns its plaintext.
func (e *env) token(t *testing.T, name, role string, apps ...string) string {
	t.Helper()
	tok, plain, err := token.Issue(token.Spec{Name: name, Role: role, Apps: apps}, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return plain
}

// client returns an API client presenting plain.
func (e *env) client(t *testing.T, plain string) *api.Client {
	t.Helper()
	c, err := api.NewClient(e.url, plain)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// audit returns the audit log, newest first.
func (e *env) audit(t *testing.T) []store.AuditEntry {
	t.Helper()
	list, err := e.db.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
