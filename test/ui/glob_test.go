package uitest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"plumb.dev/plumb/internal/ui"
)

// TestGlobMatchesGo: the dashboard decides which buttons to show with a
// JavaScript copy of Go's path.Match (the API's app globs); both must
// agree, or people see buttons the API refuses, or miss ones it allows.
func TestGlobMatchesGo(t *testing.T) {
	needBrowser(t)
	srv := httptest.NewServer(ui.Handler(ui.Options{}))
	t.Cleanup(srv.Close)
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ui/assets/favicon.svg")); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ glob, name string }{
		{"*", "web"}, {"*", "team/web"}, {"team-a-*", "team-a-web"}, {"team-a-*", "team-b-web"},
		{"team-?-web", "team-a-web"}, {"team-?-web", "team-ab-web"}, {"web", "web"}, {"web", "webs"},
		{"[a-c]*", "beta"}, {"[a-c]*", "delta"}, {"[^a-c]*", "delta"}, {"[!a-c]*", "beta"},
		{`a\*b`, "a*b"}, {`a\*b`, "axb"}, {"a.b", "a.b"}, {"a.b", "axb"}, {"x+", "x+"}, {"x+", "xx"},
		{"[", "a"}, {"*/*", "a/b"}, {"*", ""}, {"a[", "a["}, {"[]a]", "]"}, {"[]a]", "a"}, {"[^]a]", "b"},
		{`[\]]`, "]"}, {"[a-]", "a"}, {"[-a]", "a"}, {`a\`, "a"}, {"[a-c", "b"}, {"*x*", "axb"}, {"*x*", "a/x"},
		{"a*b*c", "aXbYc"}, {"a*b*c", "aXbY"}, {"[c-a]", "b"}, {"[a-cx-z]", "y"}, {"*-prod", "shop-prod"}, {"*-prod", "prod"},
	}
	for _, c := range cases {
		want, err := path.Match(c.glob, c.name)
		if err != nil {
			want = false // the API's CanAccess treats a bad pattern as no match
		}
		expr := fmt.Sprintf(`import('/ui/assets/js/glob.js').then(m => m.matches(%s, %s))`, jsString(c.glob), jsString(c.name))
		tctx, tcancel := context.WithTimeout(ctx, 10*time.Second)
		got, err := chromedp.Run(tctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		tcancel()
		if err != nil {
			t.Fatalf("%q ~ %q: %v", c.glob, c.name, err)
		}
		if got != want {
			t.Errorf("glob %q on %q: dashboard says %v, Go's path.Match %v", c.glob, c.name, got, want)
		}
	}
}
