package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"plumb.dev/plumb/internal/automation/promote"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/store"
	"plumb.dev/plumb/internal/store/sqlite"
)

// promoteEngine is an Engine with the Promoter capability; only Promote
// is called by the route.
type promoteEngine struct {
	Engine
	mu    sync.Mutex
	calls []promote.Request
	err   error
}

func (e *promoteEngine) Config() *config.Config {
	return &config.Config{Apps: []*config.App{{Name: "web-staging"}, {Name: "web-prod"}}}
}

func (e *promoteEngine) Promote(_ context.Context, req promote.Request) (promote.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, req)
	return promote.Result{From: req.From, To: req.To, Mode: promote.ModeImages}, e.err
}

// headerAuth authenticates "X-Test-Principal: name,role,glob".
type headerAuth struct{}

func (headerAuth) Authenticate(r *http.Request) (Principal, error) {
	parts := strings.Split(r.Header.Get("X-Test-Principal"), ",")
	if len(parts) < 2 {
		return Principal{}, ErrUnauthenticated
	}
	role := map[string]Role{"viewer": RoleViewer, "operator": RoleOperator, "admin": RoleAdmin}[parts[1]]
	return Principal{Name: parts[0], Role: role, Apps: parts[2:]}, nil
}

// TestPromoteRoute checks the route's roles, app scopes (both apps),
// body, audit and error mapping, on the route as Handler registers it.
func TestPromoteRoute(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	eng := &promoteEngine{}
	s := New(eng, db, headerAuth{}, "test")
	mux := http.NewServeMux()
	s.route(mux, "POST /api/v1/apps/{app}/promote", RoleOperator, s.handlePromote)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		name, who, body string
		fail            error
		status          int
		audit           string
	}{
		{name: "operator on both apps", who: "ci,operator,web-*", body: `{"to": "web-prod", "branch": "promote/x"}`, status: 200, audit: "ci promote web-staging to web-prod on branch promote/x: ok"},
		{name: "viewer", who: "bob,viewer", body: `{"to": "web-prod"}`, status: 403},
		{name: "target app out of scope", who: "ci,operator,web-staging", body: `{"to": "web-prod"}`, status: 403},
		{name: "no target", who: "ci,operator", body: `{}`, status: 400},
		{name: "refused promotion", who: "ci,admin", body: `{"to": "web-prod"}`, fail: fmt.Errorf("x: %w", promote.ErrInvalid), status: 400,
			audit: "ci promote web-staging to web-prod: error: bad request: x: invalid promotion"},
		{name: "push failure", who: "ci,admin", body: `{"to": "web-prod"}`, fail: errors.New("push rejected"), status: 500,
			audit: "ci promote web-staging to web-prod: error: push rejected"},
		{name: "no token", who: "", body: `{"to": "web-prod"}`, status: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng.err = tc.fail
			before, _ := db.ListAudit(ctx, 100)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/apps/web-staging/promote", strings.NewReader(tc.body))
			req.Header.Set("X-Test-Principal", tc.who)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			after, _ := db.ListAudit(ctx, 100)
			if tc.audit == "" {
				if len(after) != len(before) {
					t.Errorf("audited a refused request: %+v", after[0])
				}
				return
			}
			if len(after) != len(before)+1 {
				t.Fatalf("audit entries %d -> %d", len(before), len(after))
			}
			if got := auditLine(after[0]); got != tc.audit {
				t.Errorf("audit %q, want %q", got, tc.audit)
			}
		})
	}
	if len(eng.calls) != 3 || eng.calls[0].Actor != "ci" || eng.calls[0].Branch != "promote/x" || eng.calls[0].From != "web-staging" {
		t.Errorf("engine calls %+v", eng.calls)
	}
}

func auditLine(e store.AuditEntry) string {
	return fmt.Sprintf("%s %s %s %s: %s", e.Actor, e.Action, e.App, e.Detail, e.Result)
}

// TestPromoteWithoutPromoter answers 501 when the engine cannot promote.
func TestPromoteWithoutPromoter(t *testing.T) {
	s := New(struct{ Engine }{}, nil, LocalAuth{}, "test")
	mux := http.NewServeMux()
	s.route(mux, "POST /api/v1/apps/{app}/promote", RoleOperator, s.handlePromote)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/apps/a/promote", strings.NewReader(`{"to": "b"}`)))
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("status %d, want 501", rec.Code)
	}
}
