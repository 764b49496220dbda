package auth

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
)

func TestAuthenticate(t *testing.T) {
	c := &clock{t: t0}
	s := openDB(t, c)
	_, op := create(t, s, c, token.Spec{Name: "ci", Role: token.RoleOperator, Apps: []string{"team-a-*"}})
	_, admin := create(t, s, c, token.Spec{Name: "root", Role: token.RoleAdmin})
	revoked, revokedPlain := create(t, s, c, token.Spec{Name: "old", Role: token.RoleAdmin})
	if _, err := s.RevokeToken(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	_, expired := create(t, s, c, token.Spec{Name: "short", Role: token.RoleAdmin, TTL: time.Minute})
	badRole, badRolePlain, _ := token.Issue(token.Spec{Name: "odd", Role: token.RoleViewer}, t0, "test")
	badRole.Role = "root"
	if err := s.CreateToken(context.Background(), badRole); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	_, unknown, _ := token.Issue(token.Spec{Name: "ghost", Role: token.RoleAdmin}, t0, "test")
	id, _, _ := token.Parse(op)
	_, otherSecret, _ := token.Parse(admin)
	wrongSecret := token.Prefix + id + "_" + otherSecret

	cases := []struct {
		name    string
		authz   string
		want    api.Principal
		noCred  bool   // ErrNoCredential: another authenticator may try
		errWith string // substring of the error
	}{
		{name: "operator", authz: "Bearer " + op, want: api.Principal{Name: "ci", Role: api.RoleOperator, Apps: []string{"team-a-*"}}},
		{name: "admin, scheme in lower case", authz: "bearer " + admin, want: api.Principal{Name: "root", Role: api.RoleAdmin}},
		{name: "no header", noCred: true, errWith: "no credential"},
		{name: "basic auth", authz: "Basic YWRtaW46YWRtaW4=", noCred: true, errWith: `scheme "Basic" is not Bearer`},
		{name: "not a plumb token", authz: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", noCred: true, errWith: "not a plumb token"},
		{name: "unknown", authz: "Bearer " + unknown, errWith: "unknown token"},
		{name: "wrong secret", authz: "Bearer " + wrongSecret, errWith: "wrong secret"},
		{name: "revoked", authz: "Bearer " + revokedPlain, errWith: "was revoked"},
		{name: "expired", authz: "Bearer " + expired, errWith: "expired at 2026-03-01T12:01:00Z"},
		{name: "unknown role in store", authz: "Bearer " + badRolePlain, errWith: `unknown role "root"`},
	}
	a := New(s, WithClock(c.Now))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Authenticate(request(tc.authz))
			if tc.errWith == "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if !reflect.DeepEqual(p, tc.want) {
					t.Fatalf("principal = %+v, want %+v", p, tc.want)
				}
				return
			}
			if !errors.Is(err, api.ErrUnauthenticated) || errors.Is(err, ErrNoCredential) != tc.noCred {
				t.Fatalf("error %v: want api.ErrUnauthenticated, ErrNoCredential %v", err, tc.noCred)
			}
			if !strings.Contains(err.Error(), tc.errWith) {
				t.Errorf("error %q lacks %q", err, tc.errWith)
			}
			if _, secret, perr := token.Parse(strings.TrimPrefix(tc.authz, "Bearer ")); perr == nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error %q holds the secret", err)
			}
			if p.Name != "" || p.Role != 0 {
				t.Errorf("principal %+v returned with an error", p)
			}
		})
	}
}

func TestTouchIsLazy(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	s := openDB(t, c)
	tok, plain := create(t, s, c, token.Spec{Name: "ci", Role: token.RoleViewer})
	a := New(s, WithClock(c.Now), WithTouchInterval(time.Minute))
	steps := []struct {
		advance     time.Duration
		wantTouches int32
		wantLast    time.Time
	}{
		{0, 1, t0},                                 // first use is written
		{10 * time.Second, 1, t0},                  // within the interval: not written
		{40 * time.Second, 1, t0},                  // still within
		{10 * time.Second, 2, t0.Add(time.Minute)}, // a minute after the last write
		{time.Second, 2, t0.Add(time.Minute)},
	}
	for i, st := range steps {
		c.Add(st.advance)
		if _, err := a.Authenticate(request("Bearer " + plain)); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetToken(ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := s.touches.Load(); n != st.wantTouches || !got.LastUsedAt.Equal(st.wantLast) {
			t.Errorf("step %d: %d writes, last used %v; want %d, %v", i, n, got.LastUsedAt, st.wantTouches, st.wantLast)
		}
	}
	// A new authenticator (a restarted daemon) trusts the stored time.
	b := New(s, WithClock(c.Now), WithTouchInterval(time.Minute))
	if _, err := b.Authenticate(request("Bearer " + plain)); err != nil {
		t.Fatal(err)
	}
	if n := s.touches.Load(); n != 2 {
		t.Errorf("restarted authenticator wrote last-used %d times in all, want 2", n)
	}
}
