// Package ui serves plumb's web dashboard: a few hand-written ES modules,
// a style sheet and one HTML page, embedded in the binary (no build step,
// no network at run time). The pages read the API (/api/v1) and follow
// its event stream; this package adds only what the API cannot do for a
// browser: the page itself, its assets, and sign-in and sign-out, which
// turn a token into an HttpOnly, SameSite=Strict session cookie
// (api.SessionCookie, read back by auth.Cookie) so that scripts, and so
// other sites, never hold the token.
//
// Mount Handler at "/" beside the API's "/api/", "/healthz" and "/metrics".
package ui

import (
	"net/http"
	"time"

	"plumb.dev/plumb/internal/api"
)

// DefaultSessionMaxAge is how long a sign-in lasts by default.
const DefaultSessionMaxAge = 12 * time.Hour

// Options configure the dashboard.
type Options struct {
	// Auth checks the token given at sign-in, as a bearer token; the
	// daemon passes the authenticator its API uses for tokens.
	Auth api.Authenticator
	// SessionMaxAge is how long the session cookie lives (default
	// DefaultSessionMaxAge); the token's own expiry and revocation end it
	// sooner.
	SessionMaxAge time.Duration
	// SecureCookie marks the cookie Secure even on plain HTTP requests,
	// for a daemon behind a TLS-terminating proxy. Requests that arrive
	// over TLS always get a Secure cookie.
	SecureCookie bool
}

// Handler returns the dashboard: the page at "/", "/apps/{app}",
// "/delivery" and "/login"; assets under "/ui/assets/"; POST "/ui/login"
// and "/ui/logout". Anything else is 404.
func Handler(o Options) http.Handler {
	if o.SessionMaxAge <= 0 {
		o.SessionMaxAge = DefaultSessionMaxAge
	}
	s := &sessions{o: o}
	mux := http.NewServeMux()
	for _, p := range []string{"GET /{$}", "GET /apps/{app}", "GET /delivery", "GET /login"} {
		mux.HandleFunc(p, serveIndex)
	}
	mux.HandleFunc("GET /ui/assets/{file...}", serveAsset)
	mux.HandleFunc("POST /ui/login", s.login)
	mux.HandleFunc("POST /ui/logout", s.logout)
	mux.HandleFunc("/", notFound)
	return secureHeaders(mux)
}

// secureHeaders sets the headers every dashboard answer carries: scripts,
// styles and connections from this origin only, no framing, no referrer.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("404: no such page in the plumb dashboard\n"))
}
