package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
)

// newToken issues a token named name at the clock's time.
func newToken(t *testing.T, c *clock, name, role string, ttl time.Duration, apps ...string) token.Token {
	t.Helper()
	tok, _, err := token.Issue(token.Spec{Name: name, Role: role, Apps: apps, TTL: ttl}, c.Now(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustCreate(t *testing.T, d *DB, tok token.Token) {
	t.Helper()
	if err := d.CreateToken(context.Background(), tok); err != nil {
		t.Fatalf("CreateToken(%s): %v", tok.Name, err)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	c := newClock()
	d := openAt(t, path, c)
	cases := []token.Token{
		newToken(t, c, "ci", token.RoleOperator, time.Hour, "team-a-*", "web"),
		newToken(t, c, "viewer", token.RoleViewer, 0),
	}
	for _, tok := range cases {
		mustCreate(t, d, tok)
	}
	d.Close()
	d = openAt(t, path, c) // what was written survives a reopen
	for _, want := range cases {
		got, err := d.GetToken(ctx, want.ID)
		if err != nil {
			t.Fatalf("GetToken(%s): %v", want.ID, err)
		}
		mustEqual(t, "token "+want.Name, got, want)
	}
}

func TestGetTokenNotFound(t *testing.T) {
	d, _ := openTest(t)
	_, err := d.GetToken(context.Background(), "nope")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetToken(nope) = %v, want ErrNotFound", err)
	}
}

func TestCreateTokenRejects(t *testing.T) {
	d, c := openTest(t)
	noHash := newToken(t, c, "a", token.RoleViewer, 0)
	noHash.Hash = ""
	noID := newToken(t, c, "b", token.RoleViewer, 0)
	noID.ID = ""
	for _, tok := range []token.Token{noHash, noID} {
		if err := d.CreateToken(context.Background(), tok); err == nil {
			t.Errorf("CreateToken(%s) without ID or hash succeeded", tok.Name)
		}
	}
	dup := newToken(t, c, "c", token.RoleViewer, 0)
	mustCreate(t, d, dup)
	dup.Name = "d"
	if err := d.CreateToken(context.Background(), dup); err == nil {
		t.Error("CreateToken with a duplicate ID succeeded")
	}
}

func TestTokenNamesUniqueAmongActive(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	first := newToken(t, c, "ci", token.RoleViewer, time.Hour)
	mustCreate(t, d, first)
	err := d.CreateToken(ctx, newToken(t, c, "ci", token.RoleAdmin, 0))
	if !errors.Is(err, token.ErrNameTaken) {
		t.Fatalf("second active token named ci: %v, want ErrNameTaken", err)
	}
	c.Set(t0.Add(time.Hour)) // first expires
	mustCreate(t, d, newToken(t, c, "ci", token.RoleViewer, 0))
	if _, err := d.RevokeToken(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	err = d.CreateToken(ctx, newToken(t, c, "ci", token.RoleViewer, 0))
	if !errors.Is(err, token.ErrNameTaken) {
		t.Fatalf("token named like an active one: %v, want ErrNameTaken", err)
	}
}

func TestRevokeToken(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	tok := newToken(t, c, "ci", token.RoleViewer, 0)
	mustCreate(t, d, tok)
	c.Set(t0.Add(time.Minute))
	got, err := d.RevokeToken(ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.RevokedAt.Equal(t0.Add(time.Minute)) || got.State(c.Now()) != token.StateRevoked {
		t.Fatalf("revoked token: RevokedAt %v, state %s", got.RevokedAt, got.State(c.Now()))
	}
	c.Set(t0.Add(time.Hour))
	again, err := d.RevokeToken(ctx, tok.ID)
	if err != nil || !again.RevokedAt.Equal(got.RevokedAt) {
		t.Fatalf("revoking twice: %v, RevokedAt %v, want the first %v", err, again.RevokedAt, got.RevokedAt)
	}
	if _, err := d.RevokeToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RevokeToken(nope) = %v, want ErrNotFound", err)
	}
}

func TestListTokens(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	if list, err := d.ListTokens(ctx); err != nil || len(list) != 0 {
		t.Fatalf("ListTokens on a new store = %v, %v", list, err)
	}
	var want []string
	for i, name := range []string{"zeta", "alpha", "mid"} {
		c.Set(t0.Add(time.Duration(i) * time.Second))
		tok := newToken(t, c, name, token.RoleViewer, 0)
		mustCreate(t, d, tok)
		want = append(want, tok.Name)
	}
	if _, err := d.RevokeToken(ctx, mustList(t, d)[0].ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range mustList(t, d) {
		got = append(got, tok.Name)
	}
	mustEqual(t, "names, oldest first, revoked included", got, want)
}

func mustList(t *testing.T, d *DB) []token.Token {
	t.Helper()
	list, err := d.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestTouchToken(t *testing.T) {
	ctx := context.Background()
	d, c := openTest(t)
	tok := newToken(t, c, "ci", token.RoleViewer, 0)
	mustCreate(t, d, tok)
	steps := []struct {
		at, want time.Time
	}{
		{t0.Add(time.Minute), t0.Add(time.Minute)},
		{t0.Add(time.Second), t0.Add(time.Minute)}, // late touch: time does not go back
		{t0.Add(time.Hour), t0.Add(time.Hour)},
	}
	for _, s := range steps {
		if err := d.TouchToken(ctx, tok.ID, s.at); err != nil {
			t.Fatal(err)
		}
		got, err := d.GetToken(ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastUsedAt.Equal(s.want) {
			t.Errorf("after touch at %v: LastUsedAt %v, want %v", s.at, got.LastUsedAt, s.want)
		}
	}
	if err := d.TouchToken(ctx, "nope", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TouchToken(nope) = %v, want ErrNotFound", err)
	}
}
