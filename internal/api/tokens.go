package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
)

// TokenAdmin is what token management asks of the store.
type TokenAdmin interface {
	CreateToken(ctx context.Context, t token.Token) error
	ListTokens(ctx context.Context) ([]token.Token, error)
	RevokeToken(ctx context.Context, id string) (token.Token, error)
}

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Name string `json:"name"`
	// Role is viewer, operator or admin.
	Role string `json:"role"`
	// Apps are globs of the app names the token may act on; empty: all.
	Apps []string `json:"apps,omitempty"`
	// ExpiresIn is a Go duration like "720h"; empty means never.
	ExpiresIn string `json:"expiresIn,omitempty"`
}

// TokenInfo is a token as the API shows it: never its secret or its hash.
type TokenInfo struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Role       string      `json:"role"`
	Apps       []string    `json:"apps,omitempty"`
	State      token.State `json:"state"`
	CreatedAt  time.Time   `json:"createdAt"`
	CreatedBy  string      `json:"createdBy,omitempty"`
	ExpiresAt  time.Time   `json:"expiresAt,omitzero"`
	LastUsedAt time.Time   `json:"lastUsedAt,omitzero"`
	RevokedAt  time.Time   `json:"revokedAt,omitzero"`
}

// NewToken answers POST /api/v1/tokens: the new token's record and, this
// once, the plaintext token to hand to its user.
type NewToken struct {
	TokenInfo
	Token string `json:"token"`
}

// TokenInfoOf shows t as the API does, with its state at now.
func TokenInfoOf(t token.Token, now time.Time) TokenInfo {
	return TokenInfo{ID: t.ID, Name: t.Name, Role: t.Role, Apps: t.Apps, State: t.State(now),
		CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

// ParseRole returns the role named s: viewer, operator or admin.
func ParseRole(s string) (Role, error) {
	for r := RoleViewer; r <= RoleAdmin; r++ {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown role %q: want %s", s, strings.Join(token.Roles, ", "))
}

// TokenRoutes registers token management on mux: admins for all apps
// only, every change audited.
func (s *Server) TokenRoutes(mux *http.ServeMux, ts TokenAdmin) {
	h := &tokenHandlers{s: s, ts: ts}
	s.route(mux, "POST /api/v1/tokens", RoleAdmin, allApps(h.create))
	s.route(mux, "GET /api/v1/tokens", RoleAdmin, allApps(h.list))
	s.route(mux, "DELETE /api/v1/tokens/{id}", RoleAdmin, allApps(h.revoke))
}

// tokenAdminOf returns the store's token management, or one that says
// the store has none.
func tokenAdminOf(st Store) TokenAdmin {
	if ta, ok := st.(TokenAdmin); ok {
		return ta
	}
	return noTokens{}
}

// allApps lets only principals that are not limited to some apps through:
// a token limited to some apps must not mint one for all of them.
func allApps(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := PrincipalFrom(r.Context()); len(p.Apps) > 0 {
			writeJSON(w, http.StatusForbidden, Error{Error: p.Name + " is limited to apps " + strings.Join(p.Apps, ", ") +
				": managing tokens needs an admin for all apps"})
			return
		}
		h(w, r)
	}
}

type tokenHandlers struct {
	s  *Server
	ts TokenAdmin
}

func (h *tokenHandlers) create(w http.ResponseWriter, r *http.Request) {
	spec, err := decodeTokenRequest(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	actor := PrincipalFrom(r.Context()).Name
	tok, plain, err := token.Issue(spec, h.s.now(), actor)
	if err != nil {
		writeError(w, fmt.Errorf("%w: %w", errBadRequest, err))
		return
	}
	err = h.ts.CreateToken(r.Context(), tok)
	h.audit(r, "create-token", DescribeToken(tok), err)
	if err != nil {
		writeTokenError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, NewToken{TokenInfo: TokenInfoOf(tok, h.s.now()), Token: plain})
}

// decodeTokenRequest reads and checks the body of a create.
func decodeTokenRequest(w http.ResponseWriter, r *http.Request) (token.Spec, error) {
	var req TokenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return token.Spec{}, fmt.Errorf("%w: body must be {\"name\", \"role\", \"apps\", \"expiresIn\"}: %w", errBadRequest, err)
	}
	spec := token.Spec{Name: req.Name, Role: req.Role, Apps: req.Apps}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			return spec, fmt.Errorf("%w: expiresIn %q: want a positive duration like \"720h\"", errBadRequest, req.ExpiresIn)
		}
		spec.TTL = d
	}
	return spec, nil
}

func (h *tokenHandlers) list(w http.ResponseWriter, r *http.Request) {
	list, err := h.ts.ListTokens(r.Context())
	if err != nil {
		writeTokenError(w, err)
		return
	}
	out := make([]TokenInfo, 0, len(list))
	for _, t := range list {
		out = append(out, TokenInfoOf(t, h.s.now()))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *tokenHandlers) revoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tok, err := h.ts.RevokeToken(r.Context(), id)
	detail := "token " + id
	if err == nil {
		detail = DescribeToken(tok)
	}
	h.audit(r, "revoke-token", detail, err)
	if err != nil {
		writeTokenError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, TokenInfoOf(tok, h.s.now()))
}

// audit writes a token change to the audit log, whatever its outcome.
func (h *tokenHandlers) audit(r *http.Request, action, detail string, err error) {
	e := store.AuditEntry{Time: h.s.now(), Actor: PrincipalFrom(r.Context()).Name, Action: action, Detail: detail, Result: "ok"}
	if err != nil {
		e.Result = "error: " + err.Error()
	}
	_ = h.s.store.AddAudit(context.WithoutCancel(r.Context()), e)
}

// DescribeToken says what a token is for, as the audit log records it.
func DescribeToken(t token.Token) string {
	apps := "all apps"
	if len(t.Apps) > 0 {
		apps = "apps " + strings.Join(t.Apps, ",")
	}
	s := fmt.Sprintf("token %s %q: %s, %s", t.ID, t.Name, t.Role, apps)
	if !t.ExpiresAt.IsZero() {
		s += ", expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return s
}

func writeTokenError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, token.ErrNameTaken):
		writeJSON(w, http.StatusConflict, Error{Error: err.Error()})
	case errors.Is(err, errNoTokenStore):
		writeJSON(w, http.StatusNotImplemented, Error{Error: err.Error()})
	default:
		writeError(w, err)
	}
}

var errNoTokenStore = errors.New("this daemon's store does not keep tokens")

// noTokens is the TokenAdmin of a store without tokens.
type noTokens struct{}

func (noTokens) CreateToken(context.Context, token.Token) error    { return errNoTokenStore }
func (noTokens) ListTokens(context.Context) ([]token.Token, error) { return nil, errNoTokenStore }
func (noTokens) RevokeToken(context.Context, string) (token.Token, error) {
	return token.Token{}, errNoTokenStore
}
