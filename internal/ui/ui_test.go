package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth"
	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store/sqlite"
	"plumb.dev/plumb/internal/ui"
)

// TestPages: every page of the dashboard is the same index.html, with
// headers that keep other origins' scripts, frames and referrers out.
func TestPages(t *testing.T) {
	h := ui.Handler(ui.Options{})
	for _, path := range []string{"/", "/apps/web", "/apps/team%2Fa", "/delivery", "/login"} {
		t.Run(path, func(t *testing.T) {
			w := serve(h, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<script type="module" src="/ui/assets/js/main.js">`) ||
				!strings.Contains(w.Body.String(), `<link rel="modulepreload" href="/ui/assets/js/overview.js">`) {
				t.Fatalf("GET %s: %d\n%s", path, w.Code, w.Body)
			}
			want := map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"X-Frame-Options":        "DENY",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"Cache-Control":          "no-cache",
			}
			for k, v := range want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}

// TestAssets: files are served with their type and an ETag, and a
// matching If-None-Match costs no body; unknown paths are 404.
func TestAssets(t *testing.T) {
	h := ui.Handler(ui.Options{})
	cases := []struct {
		path, ctype string
		code        int
	}{
		{"/ui/assets/js/main.js", "text/javascript; charset=utf-8", 200},
		{"/ui/assets/app.css", "text/css; charset=utf-8", 200},
		{"/ui/assets/favicon.svg", "image/svg+xml", 200},
		{"/ui/assets/js/nope.js", "text/plain; charset=utf-8", 404},
		{"/ui/assets/%2e%2e/ui.go", "text/plain; charset=utf-8", 404},
		{"/ui/assets/js/..%2fapp.css", "text/plain; charset=utf-8", 404},
		{"/nope", "text/plain; charset=utf-8", 404},
		{"/apps/web/extra", "text/plain; charset=utf-8", 404},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			w := serve(h, httptest.NewRequest(http.MethodGet, c.path, nil))
			if w.Code != c.code || w.Header().Get("Content-Type") != c.ctype {
				t.Fatalf("GET %s: %d %q, want %d %q", c.path, w.Code, w.Header().Get("Content-Type"), c.code, c.ctype)
			}
			if c.code != 200 {
				return
			}
			etag := w.Header().Get("ETag")
			r := httptest.NewRequest(http.MethodGet, c.path, nil)
			r.Header.Set("If-None-Match", etag)
			if w := serve(h, r); etag == "" || w.Code != http.StatusNotModified || w.Body.Len() != 0 {
				t.Errorf("revalidation with ETag %q: %d, %d bytes", etag, w.Code, w.Body.Len())
			}
		})
	}
}

// TestModulesResolve: every relative import of every module names an
// embedded file, so no page breaks on a missing module.
func TestModulesResolve(t *testing.T) {
	h := ui.Handler(ui.Options{})
	imports := regexp.MustCompile(`(?m)^import .* from '\./([a-z_]+\.js)';$`)
	seen := map[string]bool{}
	queue := []string{"main.js"}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		w := serve(h, httptest.NewRequest(http.MethodGet, "/ui/assets/js/"+name, nil))
		if w.Code != http.StatusOK {
			t.Errorf("module %s: %d", name, w.Code)
			continue
		}
		for _, m := range imports.FindAllStringSubmatch(w.Body.String(), -1) {
			queue = append(queue, m[1])
		}
	}
	if len(seen) < 10 {
		t.Errorf("found only %d modules from main.js: %v", len(seen), seen)
	}
}

// TestLogin checks sign-in against a real token store: good tokens get an
// HttpOnly, SameSite=Strict cookie (Secure over TLS), bad ones a reason
// and no cookie, and neither answer holds the secret.
func TestLogin(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	good := issue(t, db, token.Spec{Name: "ann", Role: "operator", Apps: []string{"web-*"}})
	gone := issue(t, db, token.Spec{Name: "gone", Role: "viewer", TTL: time.Nanosecond})
	h := ui.Handler(ui.Options{Auth: auth.New(db), SessionMaxAge: time.Hour})
	cases := []struct {
		name   string
		target string
		body   string
		csrf   bool
		code   int
		says   string
		secure bool
	}{
		{name: "good token", target: "http://plumb/ui/login", body: `{"token": "` + good + `"}`, csrf: true, code: 200, says: `"role":"operator"`},
		{name: "good token over TLS", target: "https://plumb/ui/login", body: `{"token": " ` + good + ` "}`, csrf: true, code: 200, says: `"name":"ann"`, secure: true},
		{name: "no CSRF header", target: "http://plumb/ui/login", body: `{"token": "` + good + `"}`, code: 403, says: "X-Plumb-CSRF"},
		{name: "not JSON", target: "http://plumb/ui/login", body: `token=x`, csrf: true, code: 400, says: `{\"token\": \"plumb_...\"}`},
		{name: "empty", target: "http://plumb/ui/login", body: `{"token": ""}`, csrf: true, code: 401, says: "enter a token"},
		{name: "not a token", target: "http://plumb/ui/login", body: `{"token": "hunter2"}`, csrf: true, code: 401, says: "not a plumb token"},
		{name: "wrong secret", target: "http://plumb/ui/login", body: `{"token": "` + good[:len(good)-1] + other(good) + `"}`, csrf: true, code: 401, says: "token refused: wrong secret for token"},
		{name: "expired", target: "http://plumb/ui/login", body: `{"token": "` + gone + `"}`, csrf: true, code: 401, says: "expired at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, c.target, strings.NewReader(c.body))
			if c.csrf {
				r.Header.Set(auth.CSRFHeader, "1")
			}
			w := serve(h, r)
			if w.Code != c.code || !strings.Contains(w.Body.String(), c.says) {
				t.Fatalf("status %d, body %s; want %d saying %s", w.Code, w.Body, c.code, c.says)
			}
			if strings.Contains(w.Body.String(), good[20:]) {
				t.Errorf("the answer holds the token's secret: %s", w.Body)
			}
			cookies := w.Result().Cookies()
			if c.code != 200 {
				if len(cookies) != 0 {
					t.Errorf("a refused sign-in set cookies %v", cookies)
				}
				return
			}
			checkCookie(t, cookies, good, 3600, c.secure)
		})
	}
}

// TestLogout clears the cookie, and only with the CSRF header.
func TestLogout(t *testing.T) {
	h := ui.Handler(ui.Options{})
	r := httptest.NewRequest(http.MethodPost, "/ui/logout", nil)
	if w := serve(h, r); w.Code != http.StatusForbidden || len(w.Result().Cookies()) != 0 {
		t.Errorf("logout without the CSRF header: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	r.Header.Set(auth.CSRFHeader, "1")
	w := serve(h, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", w.Code)
	}
	checkCookie(t, w.Result().Cookies(), "", -1, false)
}

func checkCookie(t *testing.T, cookies []*http.Cookie, value string, maxAge int, secure bool) {
	t.Helper()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v, want one", cookies)
	}
	c := cookies[0]
	if c.Name != api.SessionCookie || c.Value != value || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != secure || c.MaxAge != maxAge {
		t.Errorf("cookie %+v; want %s, HttpOnly, SameSite=Strict, Path=/, Secure=%v, MaxAge=%d", c, api.SessionCookie, secure, maxAge)
	}
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func issue(t *testing.T, db *sqlite.DB, spec token.Spec) string {
	t.Helper()
	tok, plain, err := token.Issue(spec, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return plain
}

// other is a token character other than plain's last.
func other(plain string) string {
	if strings.HasSuffix(plain, "a") {
		return "b"
	}
	return "a"
}
