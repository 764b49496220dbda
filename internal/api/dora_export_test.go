package api

import (
	"net/http"
	"time"
)

// DoraTestHandler serves GET /api/v1/dora as Handler() does once the route
// is registered there, with the server's clock set to now.
func DoraTestHandler(s *Server, now time.Time) http.Handler {
	s.now = func() time.Time { return now }
	mux := http.NewServeMux()
	s.route(mux, "GET /api/v1/dora", RoleViewer, s.handleDora)
	return mux
}
