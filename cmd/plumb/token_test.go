package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store/sqlite"
)

// runToken runs `plumb token ARGS...` and returns stdout and stderr.
func runToken(t *testing.T, g *globals, args ...string) (string, string, error) {
	t.Helper()
	cmd := newToken(g)
	var out, errw bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errw)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errw.String(), err
}

// TestTokenBootstrap creates the first admin token with --local, then
// uses it against a daemon API on the same database to create, list and
// revoke another token.
func TestTokenBootstrap(t *testing.T) {
	state := t.TempDir()
	local := &globals{output: "table"}
	out, errw, err := runToken(t, local, "create", "root", "--role", "admin", "--local", "--state", state)
	if err != nil {
		t.Fatalf("token create --local: %v\n%s", err, errw)
	}
	plain := strings.TrimSpace(out)
	if _, _, err := token.Parse(plain); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout %q is not one token", out)
	}
	if !strings.Contains(errw, "not shown again") || strings.Contains(errw, plain) {
		t.Errorf("stderr %q", errw)
	}

	db, err := sqlite.Open(context.Background(), filepath.Join(state, "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(api.New(nil, db, auth.New(db), "test").Handler())
	defer srv.Close()

	remote := &globals{server: srv.URL, token: plain, output: "json"}
	out, errw, err = runToken(t, remote, "create", "ci", "--role", "operator", "--apps", "team-a-*,web", "--expires", "720h")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errw)
	}
	var made api.NewToken
	if err := json.Unmarshal([]byte(out), &made); err != nil {
		t.Fatal(err)
	}
	if made.Name != "ci" || made.CreatedBy != "root" || strings.Join(made.Apps, " ") != "team-a-* web" || made.Token == "" {
		t.Fatalf("created %+v", made)
	}

	remote.output = "table"
	if _, _, err := runToken(t, remote, "revoke", made.ID); err != nil {
		t.Fatalf("token revoke: %v", err)
	}
	out, _, err = runToken(t, local, "list", "--local", "--state", state)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"root", "admin", "active", "ci", "operator", "team-a-*,web", "revoked"} {
		if !strings.Contains(out, want) {
			t.Errorf("token list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, plain) || strings.Contains(out, made.Token) {
		t.Errorf("token list shows a token:\n%s", out)
	}
	audit, err := db.ListAudit(context.Background(), 0)
	if err != nil || len(audit) != 3 || audit[2].Actor != token.ReservedName || audit[0].Actor != "root" {
		t.Errorf("audit = %+v, %v; want local create, root's create and revoke", audit, err)
	}
}

func TestTokenCreateRejects(t *testing.T) {
	state := t.TempDir()
	g := &globals{output: "table"}
	cases := map[string][]string{
		"no role":     {"create", "x", "--local", "--state", state},
		"bad role":    {"create", "x", "--role", "root", "--local", "--state", state},
		"no name":     {"create", "--role", "admin", "--local", "--state", state},
		"bad glob":    {"create", "x", "--role", "viewer", "--apps", "[", "--local", "--state", state},
		"revoke none": {"revoke", "nope", "--local", "--state", state},
	}
	for name, args := range cases {
		if out, _, err := runToken(t, g, args...); err == nil {
			t.Errorf("%s: succeeded with output %q", name, out)
		}
	}
}
