package uitest

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"plumb.dev/plumb"
)

// TestOperator walks the dashboard as an operator: sign in, see the apps,
// open one, watch drift and a sync arrive live, roll back, suspend and
// resume, read the delivery page, use a phone, sign out.
func TestOperator(t *testing.T) {
	e := newEnv(t, true)
	ops := e.token("ops", "operator")
	e.serve()
	p := e.open()

	p.goTo("/")
	p.waitJS("the sign-in form", `location.pathname === '/login' && document.querySelector('#token')`)
	p.shot("login")
	p.signIn(ops)
	p.waitJS("the apps", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
	checkSessionCookie(t, p)

	// The overview: sync, health, revision with message and author, target.
	web := `#apps-body tr[data-app="web"]`
	p.waitText(web, "Synced")
	for _, want := range []string{"Healthy", plumb.Short(e.first), "first site", "by Plumb Test", "local", "just now"} {
		if got := p.text(web); !strings.Contains(got, want) {
			t.Errorf("overview row of web lacks %q: %s", want, got)
		}
	}
	if got := p.text(`#apps-body tr[data-app="api"]`); !strings.Contains(got, "edge") {
		t.Errorf("overview row of api lacks its target edge: %s", got)
	}
	p.waitText("#me", "ops (operator)")
	p.shot("overview")

	// Search and filters narrow the list.
	p.setField("#f-q", "doc", "input")
	p.waitJS("only docs", `[...document.querySelectorAll('#apps-body tr[data-app]')].map(r => r.dataset.app).join() === 'docs'`)
	p.setField("#f-q", "", "input")
	p.waitJS("all apps again", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
	p.setField("#f-target", "edge", "change")
	p.waitJS("only api", `[...document.querySelectorAll('#apps-body tr[data-app]').values()].map(r => r.dataset.app).join() === 'api'`)
	p.setField("#f-target", "", "change")

	// A hand edit shows up on the overview live: OutOfSync, drifted, no reload.
	eval[int](p, `window.__noReload = 1`)
	eval[bool](p, `document.querySelector('`+web+` a.app-link').focus() || true`)
	e.writeLive("index.html", "defaced\n")
	p.waitText(web+" .cell-sync", "OutOfSync")
	p.waitText(web+" .cell-drift", "1 drifted")
	if eval[int](p, `window.__noReload || 0`) != 1 {
		t.Fatal("the overview reloaded to show the drift; it should update in place")
	}
	if got := eval[string](p, `document.activeElement.getAttribute('href') || document.activeElement.tagName`); got != "/apps/web" {
		t.Errorf("after the live update the focus is on %s, want the link to web", got)
	}
	p.shot("overview-drift")

	// The app page: status, resources, the diff of the drift.
	p.click(web + " a.app-link")
	p.waitJS("the app page", `location.pathname === '/apps/web'`)
	p.waitText("#app-sync", "OutOfSync")
	p.waitText("#drift-list", "index.html")
	p.waitJS("the resources", `document.querySelector('#resources-table tr[data-object="index.html"]')`)
	if got := p.text(`#resources-table tr[data-object="index.html"]`); !strings.Contains(got, "OutOfSync") || !strings.Contains(got, "drifted in target") {
		t.Errorf("resource index.html: %s", got)
	}
	if got := p.text(`#resources-table tr[data-object="about.html"]`); !strings.Contains(got, "Synced") {
		t.Errorf("resource about.html: %s", got)
	}
	p.shot("app-resources")
	p.click("#tab-diff")
	p.waitJS("the diff of index.html", `document.querySelector('.diff-action[data-object="index.html"] pre.diff .add')`)
	if got := p.text(`.diff-action[data-object="index.html"]`); !strings.Contains(got, "+<h1>v1</h1>") || !strings.Contains(got, "-defaced") {
		t.Errorf("diff of index.html: %s", got)
	}
	p.shot("app-diff")

	// A drift event appears live in the events tab.
	p.click("#tab-events")
	p.waitJS("the events", `document.querySelector('#events-list li')`)
	before := p.count(`#events-list li[data-type="drift.detected"]`)
	e.writeLive("about.html", "changed by hand\n")
	p.waitJS("a drift event of about.html", `[...document.querySelectorAll('#events-list li[data-type="drift.detected"]')].some(li => li.textContent.includes('about.html'))`)
	if after := p.count(`#events-list li[data-type="drift.detected"]`); after <= before {
		t.Errorf("drift events: %d before the edit, %d after", before, after)
	}
	p.shot("app-events-drift")

	// Sync from the page: confirm, then the status changes live.
	p.click("#act-sync")
	p.waitText("dialog[open]", "Sync web now?")
	p.shot("app-confirm-sync")
	p.confirm()
	p.waitText("#app-sync", "Synced")
	p.waitText("#action-result", "sync succeeded")
	p.waitJS("the drift badge gone", `!document.querySelector('#app-drift')`)
	if eval[int](p, `window.__noReload || 0`) != 1 {
		t.Fatal("the page reloaded during the sync")
	}
	if got := readFile(t, e.live, "index.html"); got != "<h1>v1</h1>\n" {
		t.Errorf("after the sync index.html is %q", got)
	}
	p.click("#tab-history")
	p.waitText("#history-list", "manual by ops")
	eval[bool](p, `document.querySelectorAll('#history-list details').forEach(d => d.open = true) || true`)
	first := `#history-list li.sync:first-child`
	for _, want := range []string{"sync requested by ops", "update index.html — drifted in target", "afterApply", "exit 0", "reloaded the web server", "took"} {
		if got := p.text(first); !strings.Contains(got, want) {
			t.Errorf("the manual sync in history lacks %q: %s", want, got)
		}
	}
	p.shot("app-history")

	// Back on the overview, a sync started elsewhere (the CLI) shows live.
	p.click(`nav a[data-nav="apps"]`)
	p.waitJS("the apps", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
	e.writeLive("index.html", "defaced again\n")
	p.waitText(web+" .cell-sync", "OutOfSync")
	e.plumb(ops, "sync", "web")
	p.waitText(web+" .cell-sync", "Synced")
	p.waitJS("no drift", `!document.querySelector('`+web+` .cell-drift').textContent.includes('drifted')`)

	// A new commit arrives live; then roll back to the first one.
	e.repo.WriteFile("web/index.html", "<h1>v2</h1>\n")
	second := e.push("second site")
	p.waitText(web+" .rev", plumb.Short(second))
	p.waitText(web+" .rev", "second site")
	p.click(web + " a.app-link")
	p.click("#tab-history")
	rollback := `#history-list button[data-rollback="` + e.first + `"]`
	p.waitJS("a rollback button", `document.querySelector('`+rollback+`')`)
	p.click(rollback)
	p.waitText("dialog[open]", "Roll web back to "+plumb.Short(e.first)+"?")
	p.confirm()
	p.waitText("#app-badges", "Pinned to "+plumb.Short(e.first))
	if got := readFile(t, e.live, "index.html"); got != "<h1>v1</h1>\n" {
		t.Errorf("after the rollback index.html is %q", got)
	}
	p.shot("app-rolled-back")
	p.click("#act-resume")
	p.confirm()
	p.waitJS("the pin gone", `!document.querySelector('#app-badges').textContent.includes('Pinned')`)
	p.click("#act-suspend")
	p.waitText("dialog[open]", "Suspend web?")
	p.confirm()
	p.waitText("#app-badges", "Suspended")
	p.waitJS("sync disabled while suspended", `document.querySelector('#act-sync').disabled`)
	p.click("#act-resume")
	p.confirm()
	p.waitJS("not suspended", `!document.querySelector('#app-badges').textContent.includes('Suspended')`)

	// The delivery page: DORA measures with charts, overall and for one app.
	p.click(`nav a[data-nav="delivery"]`)
	p.waitJS("the DORA cards", `document.querySelector('#dora-cards') && document.querySelector('svg.chart')`)
	p.waitText("#dora-cards", "Deployment frequency")
	p.waitText("#dora-table", "web")
	p.shot("delivery")
	p.goTo("/delivery?app=web&window=7d")
	p.waitJS("the app's activity chart", `document.querySelector('#delivery-body h2 a') && document.querySelectorAll('svg.chart').length >= 2`)
	p.waitText("#delivery-body h2", "web")
	p.shot("delivery-app")

	// A phone.
	p.viewport(390, 844, true)
	p.goTo("/")
	p.waitJS("the apps", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
	if w := eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the overview is %dpx wide on a 390px phone: it scrolls sideways", w)
	}
	p.shot("overview-phone")
	p.goTo("/apps/web")
	p.waitText("#app-sync", "Synced")
	p.shot("app-phone")
	p.viewport(1280, 900, false)

	// Sign out: the cookie is gone and the API refuses the browser.
	p.goTo("/")
	p.click("#signout")
	p.waitText("form.login", "You are signed out.")
	if _, ok := p.cookie(); ok {
		t.Error("the session cookie is still there after signing out")
	}
	if status := eval[int](p, `fetch('/api/v1/whoami').then(r => r.status)`, chromedp.EvalAwaitPromise); status != http.StatusUnauthorized {
		t.Errorf("whoami after sign-out: %d, want 401", status)
	}
}

// checkSessionCookie: the token is in an HttpOnly, SameSite=Strict cookie
// that scripts cannot read; changes with it need the CSRF header; and
// requests from another origin are refused.
func checkSessionCookie(t *testing.T, p *page) {
	t.Helper()
	c, ok := p.cookie()
	if !ok {
		t.Fatal("no session cookie after signing in")
	}
	if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" {
		t.Errorf("session cookie: HttpOnly %v, SameSite %q, Path %q; want HttpOnly, Strict, /", c.HTTPOnly, c.SameSite, c.Path)
	}
	if js := eval[string](p, `document.cookie`); strings.Contains(js, "plumb_") {
		t.Errorf("scripts can read the session cookie: %q", js)
	}
	for _, store := range []string{`JSON.stringify(localStorage)`, `JSON.stringify(sessionStorage)`} {
		if got := eval[string](p, store); strings.Contains(got, "plumb_") {
			t.Errorf("the token is in web storage: %s", got)
		}
	}
	cases := []struct {
		name   string
		header map[string]string
		want   int
		says   string
	}{
		{name: "no CSRF header", want: http.StatusUnauthorized, says: "X-Plumb-CSRF"},
		{name: "from another site", header: map[string]string{"X-Plumb-CSRF": "1", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, want: http.StatusForbidden},
		{name: "from the dashboard", header: map[string]string{"X-Plumb-CSRF": "1"}, want: http.StatusOK},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodPost, p.e.url("/api/v1/apps/docs/sync"), nil)
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.says) {
			t.Errorf("POST sync with the session cookie, %s: %d %s; want %d saying %q", tc.name, resp.StatusCode, b, tc.want, tc.says)
		}
	}
}

// TestViewerSeesNoActions: a viewer reads everything and gets no buttons;
// an operator limited to some apps gets buttons on those only.
func TestViewerSeesNoActions(t *testing.T) {
	e := newEnv(t, true)
	viewer := e.token("vera", "viewer")
	docsOps := e.token("docs-team", "operator", "docs")
	e.serve()
	e.repo.WriteFile("web/index.html", "<h1>v2</h1>\n")
	second := e.push("second site")
	eventually(t, "web at the second commit", func() (bool, string) {
		var rec []struct{ Revision string }
		err := e.getJSON("/api/v1/apps/web/history?limit=50", &rec)
		return err == nil && len(rec) > 0 && rec[0].Revision == second, "history"
	})

	p := e.open()
	p.goTo("/apps/web#history")
	p.signIn(viewer)
	p.waitJS("the app page", `location.pathname === '/apps/web'`)
	p.waitText("#me", "vera (viewer)")
	p.waitText("#app-sync", "Synced")
	p.waitText("#history-list", "second site")
	p.waitText("#history-list", "first site")
	for _, sel := range []string{"#act-sync", "#act-suspend", "#act-resume", "[data-rollback]"} {
		if n := p.count(sel); n != 0 {
			t.Errorf("a viewer sees %d %s", n, sel)
		}
	}
	p.shot("app-viewer")

	q := e.open()
	q.goTo("/")
	q.signIn(docsOps)
	q.waitJS("only docs", `[...document.querySelectorAll('#apps-body tr[data-app]')].map(r => r.dataset.app).join() === 'docs'`)
	q.click(`#apps-body tr[data-app="docs"] a.app-link`)
	q.waitJS("the docs actions", `document.querySelector('#act-sync')`)
	q.goTo("/apps/web")
	q.waitText("#app-facts", "You may not read web")
	if n := q.count("#act-sync"); n != 0 {
		t.Errorf("an operator of docs sees a sync button on web")
	}
}

// TestWrongTokenRefused: malformed, unknown, wrong-secret and revoked
// tokens are refused with a message that says why, and set no cookie.
func TestWrongTokenRefused(t *testing.T) {
	e := newEnv(t, true)
	good := e.token("ann", "viewer")
	revoked := e.token("old", "viewer")
	e.serve()
	id := strings.SplitN(strings.TrimPrefix(revoked, "plumb_"), "_", 2)[0]
	e.plumb(e.admin, "token", "revoke", id)
	cases := []struct {
		name, token, says string
	}{
		{name: "not a token", token: "hello", says: "not a plumb token"},
		{name: "wrong secret", token: good[:len(good)-4] + flip(good[len(good)-4:]), says: "wrong secret for token"},
		{name: "unknown", token: "plumb_aaaaaaaaaaaaa_" + strings.Repeat("a", 52), says: "unknown token aaaaaaaaaaaaa"},
		{name: "revoked", token: revoked, says: "was revoked"},
	}
	p := e.open()
	p.goTo("/login")
	for _, tc := range cases {
		p.signIn(tc.token)
		p.waitText("#login-error", tc.says)
		if !strings.HasPrefix(p.location(), "/login") {
			t.Errorf("%s: left the sign-in page for %s", tc.name, p.location())
		}
		if _, ok := p.cookie(); ok {
			t.Errorf("%s: a session cookie was set", tc.name)
		}
		if got := p.text("#login-error"); len(tc.token) > 24 && strings.Contains(got, tc.token[20:]) {
			t.Errorf("%s: the error shows the token's secret: %s", tc.name, got)
		}
		if tc.name == "wrong secret" {
			p.shot("login-refused")
		}
	}
	p.signIn(good)
	p.waitJS("the apps", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
}

// TestLocalAdminMode: with no token yet, a loopback daemon's dashboard
// needs no sign-in and says why.
func TestLocalAdminMode(t *testing.T) {
	e := newEnv(t, false)
	e.serve()
	p := e.open()
	p.goTo("/")
	p.waitJS("the apps", `document.querySelectorAll('#apps-body tr[data-app]').length === 3`)
	p.waitText("#local-banner", "Local admin mode")
	p.waitText("#me", "local (admin)")
	if n := p.count("#signout"); n != 0 {
		t.Error("local admin mode offers to sign out")
	}
	p.shot("local-mode")
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// flip changes every character of s to another one of the token alphabet.
func flip(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c == 'a' {
			out[i] = 'b'
		} else {
			out[i] = 'a'
		}
	}
	return string(out)
}
