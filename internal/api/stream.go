package api

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// handleStream serves events as Server-Sent Events, as they happen.
// ?app= limits the stream to one app.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, fmt.Errorf("streaming unsupported"))
		return
	}
	events, cancel := s.engine.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	app := r.URL.Query().Get("app")
	p := PrincipalFrom(r.Context())
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if (app != "" && ev.App != app) || (ev.App != "" && !p.CanAccess(ev.App)) {
				continue
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, b)
			fl.Flush()
		}
	}
}
