package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
)

func TestIsLoopback(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1:7070":         true,
		"127.9.8.7:1":            true,
		"[::1]:7070":             true,
		"::1":                    true,
		"[::ffff:127.0.0.1]:80":  true,
		"[fe80::1%lo]:80":        false,
		"unix:///run/plumb.sock": true,
		"/run/plumb.sock":        true,
		"0.0.0.0:7070":           false,
		":7070":                  false,
		"[::]:7070":              false,
		"10.0.0.5:7070":          false,
		"localhost:7070":         false, // names are not resolved
		"plumb.example.com:443":  false,
		"":                       false,
	}
	for addr, want := range cases {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestForListenerWithoutTokens(t *testing.T) {
	ctx := context.Background()
	for _, addr := range []string{"0.0.0.0:7070", "192.0.2.1:7070", ":7070"} {
		c := &clock{t: t0}
		a, err := ForListener(ctx, addr, openDB(t, c))
		var nte *NoTokensError
		if !errors.As(err, &nte) || a != nil {
			t.Fatalf("ForListener(%s) with no tokens = %v, %v; want a *NoTokensError", addr, a, err)
		}
		if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "plumb token create") {
			t.Errorf("error %q does not say where and what to do", err)
		}
	}
}

func TestForListenerBootstrapOnLoopback(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	s := openDB(t, c)
	a, err := ForListener(ctx, "127.0.0.1:7070", s, WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Authenticate(request(""))
	if err != nil || p.Name != token.ReservedName || p.Role != api.RoleAdmin {
		t.Fatalf("before any token: %+v, %v; want the local admin", p, err)
	}
	_, plain := create(t, s, c, token.Spec{Name: "ci", Role: token.RoleViewer})
	if p, err := a.Authenticate(request("")); !errors.Is(err, api.ErrUnauthenticated) {
		t.Fatalf("after the first token, no credential: %+v, %v; want unauthenticated", p, err)
	}
	if p, err := a.Authenticate(request("Bearer " + plain)); err != nil || p.Name != "ci" {
		t.Fatalf("after the first token, with it: %+v, %v", p, err)
	}
}

func TestForListenerWithTokens(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	s := openDB(t, c)
	tok, plain := create(t, s, c, token.Spec{Name: "ci", Role: token.RoleViewer})
	for _, addr := range []string{"0.0.0.0:7070", "127.0.0.1:7070"} {
		a, err := ForListener(ctx, addr, s, WithClock(c.Now))
		if err != nil {
			t.Fatalf("ForListener(%s): %v", addr, err)
		}
		if _, err := a.Authenticate(request("")); !errors.Is(err, api.ErrUnauthenticated) {
			t.Errorf("%s: no credential accepted: %v", addr, err)
		}
		if p, err := a.Authenticate(request("Bearer " + plain)); err != nil || p.Name != "ci" {
			t.Errorf("%s: token: %+v, %v", addr, p, err)
		}
	}
	// Revoking every token does not reopen the local admin.
	if _, err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	a, err := ForListener(ctx, "127.0.0.1:7070", s, WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Authenticate(request("")); !errors.Is(err, api.ErrUnauthenticated) {
		t.Fatalf("every token revoked: %+v, %v; want unauthenticated", p, err)
	}
}
