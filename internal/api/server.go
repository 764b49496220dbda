// Package api serves plumb's REST API (/api/v1) and provides the Go client
// the CLI uses. Every request is authenticated by an Authenticator and
// authorised per app; every mutating call is written to the audit log.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/store"
)

// Engine is what the API asks of the reconciler.
type Engine interface {
	Config() *config.Config
	Sync(ctx context.Context, app, actor string) (store.SyncRecord, error)
	Rollback(ctx context.Context, app, revision, actor string) (store.SyncRecord, error)
	Suspend(ctx context.Context, app, actor string) (store.AppStatus, error)
	Resume(ctx context.Context, app, actor string) (store.AppStatus, error)
	Diff(ctx context.Context, app string) (plumb.Plan, error)
	Render(ctx context.Context, app string) (plumb.Desired, error)
	Resources(ctx context.Context, app string) ([]plumb.Resource, error)
	DiffLocal(ctx context.Context, app string, src engine.Source) (plumb.Plan, error)
	Subscribe() (<-chan store.Event, func())
}

// Store is what the API reads from the store.
type Store interface {
	GetStatus(ctx context.Context, app string) (store.AppStatus, error)
	ListStatus(ctx context.Context) ([]store.AppStatus, error)
	ListSyncs(ctx context.Context, app string, limit int, beforeID int64) ([]store.SyncRecord, error)
	GetSync(ctx context.Context, id int64) (store.SyncRecord, error)
	FindSync(ctx context.Context, app, revisionPrefix string) (store.SyncRecord, error)
	ListEvents(ctx context.Context, app string, afterID int64, limit int) ([]store.Event, error)
	AddAudit(ctx context.Context, e store.AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]store.AuditEntry, error)
}

// Server is the HTTP API.
type Server struct {
	engine  Engine
	store   Store
	auth    Authenticator
	version string
	now     func() time.Time
	metrics http.Handler
}

// WithMetrics serves h at /metrics to viewers (Prometheus scrapes with a
// viewer token once tokens exist).
func (s *Server) WithMetrics(h http.Handler) *Server {
	s.metrics = h
	return s
}

// New returns an API server. auth may be nil: every caller is then the
// local admin, which is only safe on a loopback listener.
func New(e Engine, s Store, auth Authenticator, version string) *Server {
	if auth == nil {
		auth = LocalAuth{}
	}
	return &Server{engine: e, store: s, auth: auth, version: version, now: time.Now}
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /api/v1/version", s.handleVersion)
	s.route(mux, "GET /api/v1/whoami", RoleViewer, s.handleWhoami)
	s.route(mux, "GET /api/v1/apps", RoleViewer, s.handleListApps)
	s.route(mux, "GET /api/v1/apps/{app}", RoleViewer, s.handleGetApp)
	s.route(mux, "GET /api/v1/apps/{app}/history", RoleViewer, s.handleHistory)
	s.route(mux, "GET /api/v1/apps/{app}/diff", RoleViewer, s.handleDiff)
	s.route(mux, "POST /api/v1/apps/{app}/diff", RoleViewer, s.handleDiffLocal)
	s.route(mux, "GET /api/v1/apps/{app}/render", RoleViewer, s.handleRender)
	s.route(mux, "GET /api/v1/apps/{app}/resources", RoleViewer, s.handleResources)
	s.route(mux, "GET /api/v1/apps/{app}/events", RoleViewer, s.handleEvents)
	s.route(mux, "POST /api/v1/apps/{app}/sync", RoleOperator, s.handleSync)
	s.route(mux, "POST /api/v1/apps/{app}/rollback", RoleOperator, s.handleRollback)
	s.route(mux, "POST /api/v1/apps/{app}/suspend", RoleOperator, s.handleSuspend)
	s.route(mux, "POST /api/v1/apps/{app}/resume", RoleOperator, s.handleResume)
	s.route(mux, "POST /api/v1/apps/{app}/promote", RoleOperator, s.handlePromote)
	s.route(mux, "GET /api/v1/events", RoleViewer, s.handleEvents)
	s.route(mux, "GET /api/v1/stream", RoleViewer, s.handleStream)
	s.route(mux, "GET /api/v1/audit", RoleAdmin, s.handleAudit)
	s.route(mux, "GET /api/v1/dora", RoleViewer, s.handleDora)
	s.TokenRoutes(mux, tokenAdminOf(s.store))
	if s.metrics != nil {
		s.route(mux, "GET /metrics", RoleViewer, s.metrics.ServeHTTP)
	}
	return mux
}

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, statusOf(err), Error{Error: err.Error()})
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, engine.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrSuspended):
		return http.StatusConflict
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

var errBadRequest = errors.New("bad request")
