package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/api"
	plumbtoken "plumb.dev/plumb/internal/auth/token"
)

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var ae *api.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *api.APIError", err)
	}
	return ae.Status
}

// TestTokenLifecycle creates, uses, lists and revokes a token through the
// client, as the CLI does.
func TestTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	admin := e.client(t, e.token(t, "root", plumbtoken.RoleAdmin))

	made, err := admin.CreateToken(ctx, api.TokenRequest{Name: "ci", Role: "operator", Apps: []string{"team-a-*"}, ExpiresIn: "720h"})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if made.State != plumbtoken.StateActive || made.CreatedBy != "root" || made.ExpiresAt.Sub(made.CreatedAt).Hours() != 720 {
		t.Errorf("created %+v", made.TokenInfo)
	}
	ci := e.client(t, made.Token)
	if _, err := ci.Sync(ctx, "team-a-web"); err != nil {
		t.Fatalf("new token cannot sync its app: %v", err)
	}
	if _, err := ci.Sync(ctx, "team-b-db"); statusOf(t, err) != http.StatusForbidden {
		t.Fatalf("new token syncing another app: %v, want 403", err)
	}
	if _, err := ci.Tokens(ctx); statusOf(t, err) != http.StatusForbidden {
		t.Fatalf("operator listing tokens: %v, want 403", err)
	}

	list, err := admin.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(ti api.TokenInfo) bool { return ti.ID == made.ID })
	if len(list) != 2 || i < 0 || list[i].LastUsedAt.IsZero() {
		t.Fatalf("Tokens = %+v, want root and ci, ci used", list)
	}

	revoked, err := admin.RevokeToken(ctx, made.ID)
	if err != nil || revoked.State != plumbtoken.StateRevoked {
		t.Fatalf("RevokeToken = %+v, %v", revoked, err)
	}
	if _, err := ci.Sync(ctx, "team-a-web"); statusOf(t, err) != http.StatusUnauthorized {
		t.Fatalf("revoked token: %v, want 401", err)
	}
	if _, err := admin.RevokeToken(ctx, "nope"); statusOf(t, err) != http.StatusNotFound {
		t.Fatalf("revoking an unknown token: %v, want 404", err)
	}
}

func TestCreateTokenRejects(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	admin := e.client(t, e.token(t, "root", plumbtoken.RoleAdmin))
	cases := []struct {
		name   string
		req    api.TokenRequest
		status int
		msg    string
	}{
		{"taken name", api.TokenRequest{Name: "root", Role: "viewer"}, http.StatusConflict, "already has this name"},
		{"bad role", api.TokenRequest{Name: "x", Role: "god"}, http.StatusBadRequest, `invalid role "god"`},
		{"bad glob", api.TokenRequest{Name: "x", Role: "viewer", Apps: []string{"[a"}}, http.StatusBadRequest, "invalid app glob"},
		{"bad name", api.TokenRequest{Name: "a b", Role: "viewer"}, http.StatusBadRequest, "invalid token name"},
		{"reserved name", api.TokenRequest{Name: "local", Role: "viewer"}, http.StatusBadRequest, "reserved"},
		{"bad expiry", api.TokenRequest{Name: "x", Role: "viewer", ExpiresIn: "30d"}, http.StatusBadRequest, "expiresIn"},
		{"negative expiry", api.TokenRequest{Name: "x", Role: "viewer", ExpiresIn: "-1h"}, http.StatusBadRequest, "expiresIn"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := admin.CreateToken(ctx, tc.req)
			if statusOf(t, err) != tc.status || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("CreateToken = %v, want %d with %q", err, tc.status, tc.msg)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/tokens", strings.NewReader(`{"name": "x", "role": "viewer", "rol": "admin"}`))
	req.Header.Set("Authorization", "Bearer "+e.token(t, "root2", plumbtoken.RoleAdmin))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: status %d, want 400", resp.StatusCode)
	}
}

// TestTokensNeverShowSecrets checks that listings and the audit log hold
// neither plaintext tokens nor hashes.
func TestTokensNeverShowSecrets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	rootPlain := e.token(t, "root", plumbtoken.RoleAdmin)
	admin := e.client(t, rootPlain)
	made, err := admin.CreateToken(ctx, api.TokenRequest{Name: "ci", Role: "viewer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RevokeToken(ctx, made.ID); err != nil {
		t.Fatal(err)
	}
	stored, err := e.db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, p := range []string{"/api/v1/tokens", "/api/v1/audit"} {
		req, _ := http.NewRequest(http.MethodGet, e.url+p, nil)
		req.Header.Set("Authorization", "Bearer "+rootPlain)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		for _, plain := range []string{rootPlain, made.Token} {
			_, secret, _ := plumbtoken.Parse(plain)
			if strings.Contains(text, secret) {
				t.Errorf("answer holds a token secret: %s", text)
			}
		}
		for _, tok := range stored {
			if strings.Contains(text, tok.Hash) || strings.Contains(text, `"hash"`) {
				t.Errorf("answer holds a token hash: %s", text)
			}
		}
	}
	if !strings.Contains(texts[1], "create-token") || !strings.Contains(texts[1], "revoke-token") {
		t.Errorf("audit log lacks the token changes: %s", texts[1])
	}
}

// TestScopedReadsAreFiltered checks the routes without {app}: a caller
// limited to some apps sees only those.
func TestScopedReadsAreFiltered(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	b := e.client(t, e.token(t, "team-b", plumbtoken.RoleViewer, "team-b-*"))
	apps, err := b.Apps(ctx, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	if len(apps.Items) != 1 || apps.Items[0].Name != "team-b-db" {
		t.Errorf("Apps = %+v, want team-b-db only", apps.Items)
	}
	evs, err := b.Events(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].App != "team-b-db" {
		t.Errorf("Events = %+v, want team-b-db's only", evs)
	}
}

func TestParseRoleMatchesTokenRoles(t *testing.T) {
	for i, name := range plumbtoken.Roles {
		r, err := api.ParseRole(name)
		if err != nil || r != api.RoleViewer+api.Role(i) || r.String() != name {
			t.Errorf("ParseRole(%q) = %v, %v", name, r, err)
		}
	}
	if _, err := api.ParseRole("none"); err == nil {
		t.Error(`ParseRole("none") succeeded`)
	}
}
