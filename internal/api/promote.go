package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"plumb.dev/plumb/internal/automation/promote"
)

// Promoter is the engine's optional capability to write promotions to
// Git (the daemon passes an engine that has it). The route answers 501
// without it.
type Promoter interface {
	Promote(ctx context.Context, req promote.Request) (promote.Result, error)
}

// PromoteRequest is the body of POST /api/v1/apps/{app}/promote; {app}
// is the App promoted from.
type PromoteRequest struct {
	To       string `json:"to"`
	Revision string `json:"revision,omitempty"`
	Mode     string `json:"mode,omitempty"`
	Branch   string `json:"branch,omitempty"`
	DryRun   bool   `json:"dryRun,omitempty"`
}

var errNoPromoter = errors.New("this daemon cannot write promotions")

// handlePromote promotes {app} to the body's "to" App. The caller needs
// the operator role on both apps; the promotion is audited.
func (s *Server) handlePromote(w http.ResponseWriter, r *http.Request) {
	var req PromoteRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil || req.To == "" {
		writeError(w, fmt.Errorf("%w: body must be {\"to\": \"<app>\", \"branch\", \"revision\", \"mode\", \"dryRun\"}", errBadRequest))
		return
	}
	if p := PrincipalFrom(r.Context()); !p.CanAccess(req.To) {
		writeJSON(w, http.StatusForbidden, Error{Error: p.Name + " (" + p.Role.String() + ") may not promote to " + req.To})
		return
	}
	p, ok := s.engine.(Promoter)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, Error{Error: errNoPromoter.Error()})
		return
	}
	detail := "to " + req.To
	if req.Branch != "" {
		detail += " on branch " + req.Branch
	}
	s.mutate(w, r, "promote", detail, func(ctx context.Context, app, actor string) (any, error) {
		res, err := p.Promote(ctx, promote.Request{From: app, To: req.To, Revision: req.Revision, Mode: req.Mode,
			Branch: req.Branch, DryRun: req.DryRun, Actor: actor})
		if errors.Is(err, promote.ErrInvalid) {
			err = fmt.Errorf("%w: %w", errBadRequest, err)
		}
		return res, err
	})
}
