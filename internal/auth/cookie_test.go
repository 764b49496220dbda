package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
)

// TestCookie reads the session cookie's token through the token
// authenticator of a real store: a good token signs in, a bad one fails
// without leaking it, a missing cookie passes the request on, and changes
// need the CSRF header.
func TestCookie(t *testing.T) {
	c := &clock{t: t0}
	db := openDB(t, c)
	_, good := create(t, db, c, token.Spec{Name: "ann", Role: "operator", Apps: []string{"team-a-*"}})
	revoked, revokedPlain := create(t, db, c, token.Spec{Name: "old", Role: "admin"})
	if _, err := db.RevokeToken(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		method  string
		cookie  string // "" for none
		csrf    bool
		want    string // principal name, or "" for an error
		errText string // part of the error
		noCred  bool   // the error is ErrNoCredential
	}{
		{name: "read with a good token", method: http.MethodGet, cookie: good, want: "ann"},
		{name: "change with the CSRF header", method: http.MethodPost, cookie: good, csrf: true, want: "ann"},
		{name: "change without the CSRF header", method: http.MethodPost, cookie: good, errText: "needs the X-Plumb-CSRF header"},
		{name: "no cookie", method: http.MethodGet, errText: "no credential", noCred: true},
		{name: "revoked token", method: http.MethodGet, cookie: revokedPlain, errText: "was revoked"},
		{name: "not a token", method: http.MethodGet, cookie: "hello", errText: "not a plumb token"},
	}
	cookie := Cookie{Tokens: New(db, WithClock(c.Now))}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/api/v1/apps/team-a-web/sync", nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: tc.cookie})
			}
			if tc.csrf {
				r.Header.Set(CSRFHeader, "1")
			}
			p, err := cookie.Authenticate(r)
			if tc.want != "" {
				if err != nil || p.Name != tc.want || p.Role != api.RoleOperator || len(p.Apps) != 1 {
					t.Fatalf("Authenticate = %+v, %v; want %s, operator on team-a-*", p, err, tc.want)
				}
				if r.Header.Get("Authorization") != "" {
					t.Error("Authenticate changed the caller's request headers")
				}
				return
			}
			checkDenied(t, err, tc.errText, tc.noCred, tc.cookie)
		})
	}
}

// checkDenied checks an authentication error: it is unauthenticated, says
// want, is (or is not) ErrNoCredential and never holds the secret.
func checkDenied(t *testing.T, err error, want string, noCred bool, secret string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatal("Authenticate succeeded, want an error")
	case !errors.Is(err, api.ErrUnauthenticated):
		t.Errorf("error %v does not wrap api.ErrUnauthenticated", err)
	case errors.Is(err, ErrNoCredential) != noCred:
		t.Errorf("error %v: is ErrNoCredential = %v, want %v", err, !noCred, noCred)
	case !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not say %q", err, want)
	case len(secret) > 20 && strings.Contains(err.Error(), secret[20:]):
		t.Errorf("error %q holds the token's secret", err)
	}
}

// TestCookieInChain: a bearer token wins over the cookie; without one the
// chain asks the cookie; a bad cookie is not passed on.
func TestCookieInChain(t *testing.T) {
	c := &clock{t: t0}
	db := openDB(t, c)
	_, ann := create(t, db, c, token.Spec{Name: "ann", Role: "viewer"})
	_, bob := create(t, db, c, token.Spec{Name: "bob", Role: "admin"})
	tokens := New(db, WithClock(c.Now))
	chain := Chain{tokens, Cookie{Tokens: tokens}}
	cases := []struct {
		name, bearer, cookie, want string
	}{
		{name: "bearer only", bearer: bob, want: "bob"},
		{name: "cookie only", cookie: ann, want: "ann"},
		{name: "both: bearer wins", bearer: bob, cookie: ann, want: "bob"},
		{name: "wrong secret in the cookie", cookie: wrongSecret(ann), want: ""},
		{name: "good bearer, wrong cookie", bearer: bob, cookie: wrongSecret(ann), want: "bob"},
		{name: "neither", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/apps", nil)
			if tc.bearer != "" {
				r.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: tc.cookie})
			}
			p, err := chain.Authenticate(r)
			if p.Name != tc.want || (tc.want == "") != (err != nil) {
				t.Fatalf("Authenticate = %+v, %v; want %q", p, err, tc.want)
			}
		})
	}
}

// wrongSecret changes the last character of a token's secret.
func wrongSecret(plain string) string {
	last := "a"
	if strings.HasSuffix(plain, "a") {
		last = "b"
	}
	return plain[:len(plain)-1] + last
}
