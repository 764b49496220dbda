package api

import (
	"fmt"
	"net/http"
	"strconv"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	if _, err := s.lookupName(r); err != nil {
		writeError(w, err)
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 20)
	if err != nil {
		writeError(w, err)
		return
	}
	before, err := intParam(q.Get("before"), 0)
	if err != nil {
		writeError(w, err)
		return
	}
	recs, err := s.store.ListSyncs(r.Context(), r.PathValue("app"), limit, int64(before))
	if err != nil {
		writeError(w, err)
		return
	}
	if recs == nil {
		recs = []store.SyncRecord{}
	}
	writeJSON(w, http.StatusOK, recs)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(firstOr(q.Get("after"), "0"), 10, 64)
	if err != nil {
		writeError(w, fmt.Errorf("%w: after=%q", errBadRequest, q.Get("after")))
		return
	}
	limit, err := intParam(q.Get("limit"), 100)
	if err != nil {
		writeError(w, err)
		return
	}
	app := r.PathValue("app")
	if app == "" {
		app = q.Get("app")
	}
	evs, err := s.store.ListEvents(r.Context(), app, after, limit)
	if err != nil {
		writeError(w, err)
		return
	}
	p := PrincipalFrom(r.Context())
	out := []store.Event{}
	for _, e := range evs {
		if e.App == "" || p.CanAccess(e.App) {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if p := PrincipalFrom(r.Context()); len(p.Apps) > 0 {
		writeJSON(w, http.StatusForbidden, Error{Error: p.Name + " is limited to some apps and may not read the whole audit log"})
		return
	}
	limit, err := intParam(r.URL.Query().Get("limit"), 100)
	if err != nil {
		writeError(w, err)
		return
	}
	entries, err := s.store.ListAudit(r.Context(), limit)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, entries)
}

// Diff is a plan served by the API: what a sync would do now.
type Diff struct {
	App      string         `json:"app"`
	Revision string         `json:"revision"`
	Actions  []plumb.Action `json:"actions"`
	Changes  bool           `json:"changes"`
}

func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) {
	name, err := s.lookupName(r)
	if err != nil {
		writeError(w, err)
		return
	}
	plan, err := s.engine.Diff(r.Context(), name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Diff{App: name, Revision: plan.Desired.Revision, Actions: plan.Actions, Changes: plan.HasChanges()})
}

// Rendered is what an app would apply.
type Rendered struct {
	App      string         `json:"app"`
	Revision string         `json:"revision"`
	Files    []RenderedFile `json:"files,omitempty"`
	// Manifests is a multi-document YAML stream of the rendered objects.
	Manifests string `json:"manifests,omitempty"`
}

// RenderedFile is one rendered file with its content.
type RenderedFile struct {
	Path    string `json:"path"`
	Mode    string `json:"mode"`
	Content string `json:"content"`
}

func (s *Server) handleRender(w http.ResponseWriter, r *http.Request) {
	name, err := s.lookupName(r)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := s.engine.Render(r.Context(), name)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := RenderedOf(name, d)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) lookupName(r *http.Request) (string, error) {
	a, err := s.lookup(r)
	return a.Name, err
}

func firstOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) handleResources(w http.ResponseWriter, r *http.Request) {
	name, err := s.lookupName(r)
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := s.engine.Resources(r.Context(), name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
