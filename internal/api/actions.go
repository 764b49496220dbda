package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"plumb.dev/plumb/internal/store"
)

// SyncAnswer is the answer to sync and rollback: the record of the
// reconcile, and its error if it failed.
type SyncAnswer struct {
	Record store.SyncRecord `json:"record"`
	Error  string           `json:"error,omitempty"`
}

// RollbackRequest is the body of a rollback.
type RollbackRequest struct {
	Revision string `json:"revision"`
}

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	s.mutate(w, r, "sync", "", func(ctx context.Context, app, actor string) (any, error) {
		rec, err := s.engine.Sync(ctx, app, actor)
		return syncAnswer(rec, err)
	})
}

func (s *Server) handleRollback(w http.ResponseWriter, r *http.Request) {
	var req RollbackRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil || req.Revision == "" {
		writeError(w, fmt.Errorf("%w: body must be {\"revision\": \"<sha or prefix>\"}", errBadRequest))
		return
	}
	s.mutate(w, r, "rollback", req.Revision, func(ctx context.Context, app, actor string) (any, error) {
		rec, err := s.engine.Rollback(ctx, app, req.Revision, actor)
		return syncAnswer(rec, err)
	})
}

func (s *Server) handleSuspend(w http.ResponseWriter, r *http.Request) {
	s.mutate(w, r, "suspend", "", func(ctx context.Context, app, actor string) (any, error) {
		return s.engine.Suspend(ctx, app, actor)
	})
}

func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) {
	s.mutate(w, r, "resume", "", func(ctx context.Context, app, actor string) (any, error) {
		return s.engine.Resume(ctx, app, actor)
	})
}

// syncAnswer keeps a failed sync's record in the answer: the reconcile
// ran and failed, which is a result, not an API error. Refusals (unknown
// app, suspended) stay errors.
func syncAnswer(rec store.SyncRecord, err error) (any, error) {
	if err != nil && rec.ID == 0 && rec.App == "" {
		return nil, err
	}
	ans := SyncAnswer{Record: rec}
	if err != nil {
		ans.Error = err.Error()
	}
	return ans, nil
}

// mutate runs an action for the request's app and writes it to the audit
// log with the caller as actor, whatever the outcome.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, action, detail string, do func(ctx context.Context, app, actor string) (any, error)) {
	app := r.PathValue("app")
	if _, err := s.lookupName(r); err != nil {
		writeError(w, err)
		return
	}
	actor := PrincipalFrom(r.Context()).Name
	out, err := do(r.Context(), app, actor)
	entry := store.AuditEntry{Time: s.now(), Actor: actor, Action: action, App: app, Detail: detail, Result: "ok"}
	if err != nil {
		entry.Result = "error: " + err.Error()
	} else if a, ok := out.(SyncAnswer); ok && a.Error != "" {
		entry.Result = "failed: " + a.Error
	}
	_ = s.store.AddAudit(context.WithoutCancel(r.Context()), entry)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
