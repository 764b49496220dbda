package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"plumb.dev/plumb/internal/dora"
	"plumb.dev/plumb/internal/store"
)

// SyncHistory is what GET /api/v1/dora reads of the store: every sync
// since a time. The Server finds it on its Store by type assertion (the
// SQLite store has it), so the Store interface stays as it is.
type SyncHistory interface {
	ListAllSyncs(ctx context.Context, since time.Time) ([]store.SyncRecord, error)
}

// MaxDORAWindow bounds the window of GET /api/v1/dora: one query reads
// every sync of the window.
const MaxDORAWindow = 366 * 24 * time.Hour

var errNoSyncHistory = errors.New("this daemon's store cannot list sync history")

// handleDora answers GET /api/v1/dora?app=&window=30d with the DORA
// measures of the window ending now (see package dora), over the apps the
// caller may read, or over one app.
func (s *Server) handleDora(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	window, err := ParseWindow(q.Get("window"))
	if err != nil {
		writeError(w, err)
		return
	}
	app, p := q.Get("app"), PrincipalFrom(r.Context())
	if app != "" && !p.CanAccess(app) {
		writeJSON(w, http.StatusForbidden, Error{Error: p.Name + " (" + p.Role.String() + ") may not read app " + app})
		return
	}
	hist, ok := s.store.(SyncHistory)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, Error{Error: errNoSyncHistory.Error()})
		return
	}
	to := s.now()
	from := to.Add(-window)
	recs, err := hist.ListAllSyncs(r.Context(), from)
	if err != nil {
		writeError(w, err)
		return
	}
	recs = readable(recs, app, p)
	if app != "" && len(recs) == 0 && s.engine.Config().App(app) == nil {
		writeJSON(w, http.StatusNotFound, Error{Error: fmt.Sprintf("app %q: not in the config and no syncs in the window", app)})
		return
	}
	writeJSON(w, http.StatusOK, dora.Compute(recs, from, to))
}

// readable keeps the records of app ("" for any) that p may read.
func readable(recs []store.SyncRecord, app string, p Principal) []store.SyncRecord {
	out := recs[:0:0]
	for _, rec := range recs {
		if (app == "" || rec.App == app) && p.CanAccess(rec.App) {
			out = append(out, rec)
		}
	}
	return out
}

// ParseWindow reads a window length: a number of days ("30d"), weeks
// ("2w") or a Go duration ("12h", "90m"); "" is dora.DefaultWindow. It
// must be positive and at most MaxDORAWindow.
func ParseWindow(s string) (time.Duration, error) {
	if s == "" {
		return dora.DefaultWindow, nil
	}
	d, err := parseWindow(s)
	if err != nil || d <= 0 || d > MaxDORAWindow {
		return 0, fmt.Errorf("%w: window %q: want a positive length of at most 366d, like 30d, 2w or 12h", errBadRequest, s)
	}
	return d, nil
}

func parseWindow(s string) (time.Duration, error) {
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
	if err != nil {
		return 0, err
	}
	if !(n > 0 && n*float64(unit) <= float64(MaxDORAWindow)) { // also refuses NaN
		return 0, errors.New("out of range")
	}
	return time.Duration(n * float64(unit)), nil
}
