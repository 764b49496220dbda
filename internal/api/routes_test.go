package api_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"plumb.dev/plumb/internal/api"
	plumbtoken "plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
)

// routeCase is one registered route: a request to it and who may make it.
type routeCase struct {
	pattern string // as registered in Handler()
	method  string
	// path and body build a fresh request; the env lets them make what
	// the request needs (a token to revoke).
	path func(t *testing.T, e *env) string
	body func() string
	// role is the least role allowed; zero for public routes.
	role api.Role
	// scoped says the route checks app globs ({app} routes, and token
	// management, which needs an admin for all apps).
	scoped bool
	// audit is the audit action of a mutating route.
	audit string
	// ok is the status of an allowed request.
	ok int
}

func fixed(s string) func(*testing.T, *env) string { return func(*testing.T, *env) string { return s } }

var tokenNames atomic.Int64

// routeCases lists every route of Handler(); TestRouteCasesCoverHandler
// keeps it complete.
var routeCases = []routeCase{
	{pattern: "GET /healthz", path: fixed("/healthz"), ok: 200},
	{pattern: "GET /api/v1/version", path: fixed("/api/v1/version"), ok: 200},
	{pattern: "GET /api/v1/whoami", path: fixed("/api/v1/whoami"), role: api.RoleViewer, ok: 200},
	{pattern: "GET /api/v1/apps", path: fixed("/api/v1/apps"), role: api.RoleViewer, ok: 200},
	{pattern: "GET /api/v1/apps/{app}", path: fixed("/api/v1/apps/team-a-web"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "GET /api/v1/apps/{app}/history", path: fixed("/api/v1/apps/team-a-web/history"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "GET /api/v1/apps/{app}/diff", path: fixed("/api/v1/apps/team-a-web/diff"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "GET /api/v1/apps/{app}/render", path: fixed("/api/v1/apps/team-a-web/render"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "GET /api/v1/apps/{app}/resources", path: fixed("/api/v1/apps/team-a-web/resources"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "GET /api/v1/apps/{app}/events", path: fixed("/api/v1/apps/team-a-web/events"), role: api.RoleViewer, scoped: true, ok: 200},
	{pattern: "POST /api/v1/apps/{app}/sync", path: fixed("/api/v1/apps/team-a-web/sync"), role: api.RoleOperator, scoped: true, audit: "sync", ok: 200},
	{pattern: "POST /api/v1/apps/{app}/rollback", path: fixed("/api/v1/apps/team-a-web/rollback"),
		body: func() string { return `{"revision": "abc1234"}` }, role: api.RoleOperator, scoped: true, audit: "rollback", ok: 200},
	{pattern: "POST /api/v1/apps/{app}/suspend", path: fixed("/api/v1/apps/team-a-web/suspend"), role: api.RoleOperator, scoped: true, audit: "suspend", ok: 200},
	{pattern: "POST /api/v1/apps/{app}/resume", path: fixed("/api/v1/apps/team-a-web/resume"), role: api.RoleOperator, scoped: true, audit: "resume", ok: 200},
	{pattern: "GET /api/v1/events", path: fixed("/api/v1/events"), role: api.RoleViewer, ok: 200},
	{pattern: "GET /api/v1/stream", path: fixed("/api/v1/stream"), role: api.RoleViewer, ok: 200},
	{pattern: "GET /api/v1/audit", path: fixed("/api/v1/audit"), role: api.RoleAdmin, scoped: true, ok: 200},
	{pattern: "GET /api/v1/dora", path: fixed("/api/v1/dora"), role: api.RoleViewer, ok: 200},
	{pattern: "GET /metrics", path: fixed("/metrics"), role: api.RoleViewer, ok: 200},
	{pattern: "POST /api/v1/apps/{app}/promote", path: fixed("/api/v1/apps/team-a-web/promote"), body: func() string { return `{"to": "team-a-web"}` }, role: api.RoleOperator, scoped: true, audit: "promote", ok: 200},
	{pattern: "POST /api/v1/apps/{app}/diff", path: fixed("/api/v1/apps/team-a-web/diff"), role: api.RoleViewer, scoped: true, ok: 400},
	{pattern: "POST /api/v1/tokens", path: fixed("/api/v1/tokens"), role: api.RoleAdmin, scoped: true, audit: "create-token", ok: 201,
		body: func() string {
			return `{"name": "made-` + strconv.FormatInt(tokenNames.Add(1), 10) + `", "role": "viewer", "apps": ["team-a-*"], "expiresIn": "1h"}`
		}},
	{pattern: "GET /api/v1/tokens", path: fixed("/api/v1/tokens"), role: api.RoleAdmin, scoped: true, ok: 200},
	{pattern: "DELETE /api/v1/tokens/{id}", role: api.RoleAdmin, scoped: true, audit: "revoke-token", ok: 200,
		path: func(t *testing.T, e *env) string {
			plain := e.token(t, "doomed-"+strconv.FormatInt(tokenNames.Add(1), 10), plumbtoken.RoleViewer)
			id, _, _ := plumbtoken.Parse(plain)
			return "/api/v1/tokens/" + id
		}},
}

// caller is who makes a request in TestRoutes.
type caller struct {
	name string
	// token makes the caller's token ("" for no Authorization header).
	token func(t *testing.T, e *env, rc routeCase) string
	// want is the status the caller gets: ok means rc.ok.
	want func(rc routeCase) (status int, ok bool)
}

func roleName(r api.Role) string { return r.String() }

var callers = []caller{
	{name: "no token",
		token: func(*testing.T, *env, routeCase) string { return "" },
		want:  func(rc routeCase) (int, bool) { return deniedOr(rc, rc.role > 0, http.StatusUnauthorized) }},
	{name: "malformed token",
		token: func(*testing.T, *env, routeCase) string { return "plumb_not-a-token" },
		want:  func(rc routeCase) (int, bool) { return deniedOr(rc, rc.role > 0, http.StatusUnauthorized) }},
	{name: "revoked token",
		token: func(t *testing.T, e *env, rc routeCase) string {
			plain := e.token(t, "revoked-"+strconv.FormatInt(tokenNames.Add(1), 10), plumbtoken.RoleAdmin)
			id, _, _ := plumbtoken.Parse(plain)
			if _, err := e.db.RevokeToken(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			return plain
		},
		want: func(rc routeCase) (int, bool) { return deniedOr(rc, rc.role > 0, http.StatusUnauthorized) }},
	{name: "role below the route's",
		token: func(t *testing.T, e *env, rc routeCase) string {
			return e.token(t, "low-"+strconv.FormatInt(tokenNames.Add(1), 10), roleName(max(rc.role-1, api.RoleViewer)))
		},
		want: func(rc routeCase) (int, bool) { return deniedOr(rc, rc.role > api.RoleViewer, http.StatusForbidden) }},
	{name: "right role, other apps",
		token: func(t *testing.T, e *env, rc routeCase) string {
			return e.token(t, "other-"+strconv.FormatInt(tokenNames.Add(1), 10), roleName(max(rc.role, api.RoleViewer)), "team-b-*")
		},
		want: func(rc routeCase) (int, bool) { return deniedOr(rc, rc.scoped, http.StatusForbidden) }},
	{name: "right role, right apps",
		token: func(t *testing.T, e *env, rc routeCase) string {
			if strings.Contains(rc.pattern, "/tokens") || strings.Contains(rc.pattern, "/audit") {
				return e.token(t, "right-"+strconv.FormatInt(tokenNames.Add(1), 10), plumbtoken.RoleAdmin)
			}
			return e.token(t, "right-"+strconv.FormatInt(tokenNames.Add(1), 10), roleName(max(rc.role, api.RoleViewer)), "team-a-*")
		},
		want: func(routeCase) (int, bool) { return 0, true }},
	{name: "admin for all apps",
		token: func(t *testing.T, e *env, rc routeCase) string {
			return e.token(t, "admin-"+strconv.FormatInt(tokenNames.Add(1), 10), plumbtoken.RoleAdmin)
		},
		want: func(routeCase) (int, bool) { return 0, true }},
}

// deniedOr returns status when denied holds, else "the route's ok".
func deniedOr(_ routeCase, denied bool, status int) (int, bool) {
	if denied {
		return status, false
	}
	return 0, true
}

// TestRoutes makes every route's request as every kind of caller: no or
// a bad token gets 401, a role too low or other apps 403, the right role
// the route's own answer. Allowed mutating calls land in the audit log
// with the token's name as actor; denied ones reach neither the engine
// nor the audit log.
func TestRoutes(t *testing.T) {
	e := newEnv(t)
	for _, rc := range routeCases {
		for _, c := range callers {
			t.Run(rc.pattern+"/"+c.name, func(t *testing.T) {
				plain := c.token(t, e, rc)
				before, calls := len(e.audit(t)), len(e.eng.Calls())
				status := do(t, e, rc, plain)
				want, ok := c.want(rc)
				if ok {
					want = rc.ok
				}
				if status != want {
					t.Fatalf("status %d, want %d", status, want)
				}
				after := e.audit(t)
				switch {
				case !ok && (len(after) != before || len(e.eng.Calls()) != calls):
					t.Errorf("denied request changed something: audit %d -> %d entries, engine calls %v", before, len(after), e.eng.Calls()[calls:])
				case ok && rc.audit != "":
					checkAudit(t, rc, after, before, tokenName(t, e, plain))
				case ok && len(after) != before:
					t.Errorf("read-only route wrote %d audit entries", len(after)-before)
				}
			})
		}
	}
}

// do makes rc's request with the token plain and returns the status.
func do(t *testing.T, e *env, rc routeCase, plain string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	method, _, _ := strings.Cut(rc.pattern, " ")
	var body io.Reader
	if rc.body != nil {
		body = strings.NewReader(rc.body())
	}
	req, err := http.NewRequestWithContext(ctx, method, e.url+rc.path(t, e), body)
	if err != nil {
		t.Fatal(err)
	}
	if plain != "" {
		req.Header.Set("Authorization", "Bearer "+plain)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasSuffix(rc.pattern, "/stream") || resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		if plain != "" && strings.Contains(string(b), plain) && !strings.HasSuffix(rc.pattern, "/tokens") {
			t.Errorf("answer holds the caller's token: %s", b)
		}
	}
	return resp.StatusCode
}

// tokenName returns the name of the token plain.
func tokenName(t *testing.T, e *env, plain string) string {
	t.Helper()
	id, _, err := plumbtoken.Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.db.GetToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Name
}

// checkAudit checks that exactly one entry was added, by actor.
func checkAudit(t *testing.T, rc routeCase, after []store.AuditEntry, before int, actor string) {
	t.Helper()
	if len(after) != before+1 {
		t.Fatalf("audit log grew by %d entries, want 1", len(after)-before)
	}
	got := after[0]
	wantApp := ""
	if strings.Contains(rc.pattern, "{app}") {
		wantApp = "team-a-web"
	}
	if got.Actor != actor || got.Action != rc.audit || got.App != wantApp || got.Result != "ok" {
		t.Errorf("audit entry %+v, want actor %q, action %q, app %q, result ok", got, actor, rc.audit, wantApp)
	}
}

// TestRouteCasesCoverHandler reads the package's source for every route
// registered (s.route, mux.HandleFunc, mux.Handle) and checks that
// routeCases lists exactly those.
func TestRouteCasesCoverHandler(t *testing.T) {
	var registered []string
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".go") || strings.HasSuffix(ent.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, ent.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		registered = append(registered, patternsIn(f)...)
	}
	var listed []string
	for _, rc := range routeCases {
		listed = append(listed, rc.pattern)
	}
	slices.Sort(registered)
	slices.Sort(listed)
	if !slices.Equal(registered, listed) {
		t.Errorf("routes registered in the source:\n  %s\nrouteCases:\n  %s", strings.Join(registered, "\n  "), strings.Join(listed, "\n  "))
	}
}

// patternsIn returns the string patterns passed to route, HandleFunc and
// Handle calls in f.
func patternsIn(f *ast.File) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		arg := -1
		switch sel.Sel.Name {
		case "route":
			arg = 1
		case "HandleFunc", "Handle":
			arg = 0
		}
		if arg < 0 || len(call.Args) <= arg {
			return true
		}
		if lit, ok := call.Args[arg].(*ast.BasicLit); ok {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}
