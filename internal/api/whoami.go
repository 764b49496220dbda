package api

import "net/http"

// SessionCookie is the cookie the dashboard's sign-in sets (see package
// ui): its value is the caller's token, sent back by the browser only to
// this daemon (HttpOnly, SameSite=Strict); auth.Cookie reads it.
const SessionCookie = "plumb_session"

// Identity answers GET /api/v1/whoami: who the caller is and what they
// may do. The dashboard shows actions by it; the API checks them anyway.
type Identity struct {
	Name string `json:"name"`
	// Role is viewer, operator or admin.
	Role string `json:"role"`
	// Apps are globs of the app names the caller may read and act on;
	// empty means all apps.
	Apps []string `json:"apps,omitempty"`
	// Local says the caller was let in without any credential: the daemon
	// listens on loopback and no token exists yet, so every local caller
	// is its admin.
	Local bool `json:"local,omitempty"`
}

// handleWhoami answers GET /api/v1/whoami with the caller's Identity.
func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, Identity{Name: p.Name, Role: p.Role.String(), Apps: p.Apps, Local: noCredential(r)})
}

// noCredential reports whether r carries neither a bearer token nor the
// session cookie.
func noCredential(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	_, err := r.Cookie(SessionCookie)
	return err != nil
}
