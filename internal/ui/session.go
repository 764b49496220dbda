package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/auth/token"
)

// LoginRequest is the body of POST /ui/login.
type LoginRequest struct {
	Token string `json:"token"`
}

// sessions signs browsers in and out.
type sessions struct {
	o Options
}

// login checks the token like the API would and, when it is good, sets
// it as the session cookie. The answer is the caller's api.Identity, or
// an api.Error saying why the token was refused (never the token).
func (s *sessions) login(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(auth.CSRFHeader) == "" {
		writeJSON(w, http.StatusForbidden, api.Error{Error: "sign-in needs the " + auth.CSRFHeader + " header"})
		return
	}
	var req LoginRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, api.Error{Error: `the body must be {"token": "plumb_..."}`})
		return
	}
	plain := strings.TrimSpace(req.Token)
	p, err := s.check(r, plain)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, api.Error{Error: err.Error()})
		return
	}
	http.SetCookie(w, s.cookie(r, plain, int(s.o.SessionMaxAge.Seconds())))
	writeJSON(w, http.StatusOK, api.Identity{Name: p.Name, Role: p.Role.String(), Apps: p.Apps})
}

// check authenticates plain as a bearer token.
func (s *sessions) check(r *http.Request, plain string) (api.Principal, error) {
	if plain == "" {
		return api.Principal{}, errors.New("enter a token")
	}
	if _, _, err := token.Parse(plain); err != nil {
		return api.Principal{}, errors.New("that is not a plumb token: it looks like plumb_<id>_<secret> (plumb token create prints one)")
	}
	if s.o.Auth == nil {
		return api.Principal{}, errors.New("this daemon has no token authentication")
	}
	probe, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/api/v1/whoami", nil)
	if err != nil {
		return api.Principal{}, fmt.Errorf("sign-in: %w", err)
	}
	probe.Header.Set("Authorization", "Bearer "+plain)
	probe.RemoteAddr, probe.TLS = r.RemoteAddr, r.TLS
	p, err := s.o.Auth.Authenticate(probe)
	if err != nil {
		return api.Principal{}, fmt.Errorf("token refused: %w", err)
	}
	return p, nil
}

// logout clears the session cookie.
func (s *sessions) logout(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(auth.CSRFHeader) == "" {
		writeJSON(w, http.StatusForbidden, api.Error{Error: "sign-out needs the " + auth.CSRFHeader + " header"})
		return
	}
	http.SetCookie(w, s.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// cookie is the session cookie holding value for maxAge seconds (<0
// deletes it): HttpOnly, so scripts cannot read it; SameSite=Strict, so
// other sites cannot make the browser send it; Secure over TLS.
func (s *sessions) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: api.SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.o.SecureCookie,
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
