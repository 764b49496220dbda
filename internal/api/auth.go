package api

import (
	"context"
	"errors"
	"net/http"
	"path"
)

// Role is what a principal may do. Roles are ordered: each includes the
// ones before it.
type Role int

// The roles.
const (
	RoleViewer   Role = iota + 1 // reads
	RoleOperator                 // syncs, rolls back, suspends, resumes
	RoleAdmin                    // manages tokens, reads the audit log
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleOperator:
		return "operator"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// Principal is an authenticated caller.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Apps are globs of app names the principal may act on; empty means all.
	Apps []string `json:"apps,omitempty"`
}

// CanAccess reports whether the principal's app globs cover app.
func (p Principal) CanAccess(app string) bool {
	if len(p.Apps) == 0 || app == "" {
		return true
	}
	for _, g := range p.Apps {
		if ok, _ := path.Match(g, app); ok {
			return true
		}
	}
	return false
}

// Authenticator identifies the caller of a request. Tokens, mTLS or OIDC
// are implementations of it.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// ErrUnauthenticated is returned by an Authenticator that cannot identify
// the caller.
var ErrUnauthenticated = errors.New("unauthenticated")

// LocalAuth treats every caller as the local admin. It is the default for
// a daemon listening on loopback only, until tokens are configured.
type LocalAuth struct{}

// Authenticate returns the local admin.
func (LocalAuth) Authenticate(*http.Request) (Principal, error) {
	return Principal{Name: "local", Role: RoleAdmin}, nil
}

type principalKey struct{}

// PrincipalFrom returns the principal of an authenticated request context.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// route registers h behind authentication and authorisation for role;
// {app} in the pattern is checked against the principal's app globs.
func (s *Server) route(mux *http.ServeMux, pattern string, role Role, h http.HandlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="plumb"`)
			writeJSON(w, http.StatusUnauthorized, Error{Error: "unauthenticated: " + err.Error()})
			return
		}
		if p.Role < role || !p.CanAccess(r.PathValue("app")) {
			writeJSON(w, http.StatusForbidden, Error{Error: p.Name + " (" + p.Role.String() + ") may not " + r.Method + " " + r.URL.Path})
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}
