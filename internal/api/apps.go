package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/store"
)

// App is an app's config joined with its status.
type App struct {
	Name      string          `json:"name"`
	Source    string          `json:"source"`
	Path      string          `json:"path"`
	Target    string          `json:"target"`
	Prune     bool            `json:"prune"`
	SelfHeal  bool            `json:"selfHeal"`
	Suspend   bool            `json:"suspend,omitempty"`
	DependsOn []string        `json:"dependsOn,omitempty"`
	Interval  string          `json:"interval,omitempty"`
	Status    store.AppStatus `json:"status"`
}

// AppList is one page of apps.
type AppList struct {
	Items []App `json:"items"`
	Total int   `json:"total"`
}

func appOf(a *config.App, st store.AppStatus) App {
	st.App = a.Name
	if st.Sync == "" {
		st.Sync, st.Health = "Unknown", "Unknown"
	}
	st.Target, st.Source, st.Path = a.Target, a.Source, a.Path
	return App{Name: a.Name, Source: a.Source, Path: a.Path, Target: a.Target, Prune: a.Prune, SelfHeal: a.SelfHeal,
		Suspend: a.Suspend || st.Suspended, DependsOn: a.DependsOn, Interval: a.Interval.String(), Status: st}
}

func (s *Server) handleListApps(w http.ResponseWriter, r *http.Request) {
	sts, err := s.store.ListStatus(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	byName := make(map[string]store.AppStatus, len(sts))
	for _, st := range sts {
		byName[st.App] = st
	}
	f, err := parseFilter(r)
	if err != nil {
		writeError(w, err)
		return
	}
	p := PrincipalFrom(r.Context())
	var all []App
	for _, a := range s.engine.Config().Apps {
		if app := appOf(a, byName[a.Name]); p.CanAccess(a.Name) && f.match(app) {
			all = append(all, app)
		}
	}
	writeJSON(w, http.StatusOK, AppList{Items: f.page(all), Total: len(all)})
}

// filter selects and pages apps: ?sync=&health=&target=&q=&limit=&offset=.
type filter struct {
	sync, health, target, q string
	limit, offset           int
}

func parseFilter(r *http.Request) (filter, error) {
	q := r.URL.Query()
	f := filter{sync: q.Get("sync"), health: q.Get("health"), target: q.Get("target"), q: q.Get("q")}
	var err error
	if f.limit, err = intParam(q.Get("limit"), 0); err != nil {
		return f, err
	}
	f.offset, err = intParam(q.Get("offset"), 0)
	return f, err
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %q is not a non-negative number", errBadRequest, v)
	}
	return n, nil
}

func (f filter) match(a App) bool {
	return (f.sync == "" || strings.EqualFold(string(a.Status.Sync), f.sync)) &&
		(f.health == "" || strings.EqualFold(string(a.Status.Health), f.health)) &&
		(f.target == "" || a.Target == f.target) &&
		(f.q == "" || strings.Contains(a.Name, f.q))
}

func (f filter) page(all []App) []App {
	if f.offset >= len(all) {
		return []App{}
	}
	all = all[f.offset:]
	if f.limit > 0 && f.limit < len(all) {
		all = all[:f.limit]
	}
	return all
}

func (s *Server) lookup(r *http.Request) (App, error) {
	name := r.PathValue("app")
	a := s.engine.Config().App(name)
	if a == nil {
		return App{}, fmt.Errorf("app %q: %w", name, engine.ErrNotFound)
	}
	st, err := s.store.GetStatus(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return App{}, err
	}
	return appOf(a, st), nil
}

func (s *Server) handleGetApp(w http.ResponseWriter, r *http.Request) {
	a, err := s.lookup(r)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": s.version})
}
