package uitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// artifacts is where screenshots go (gitignored).
const artifacts = "../artifacts/ui"

// page is one browser context (its own cookies) with one tab, on env's
// daemon.
type page struct {
	t   *testing.T
	e   *env
	ctx context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console.error calls
}

// open opens a fresh browser context. At the end of the test, script
// errors on the page fail the test.
func (e *env) open() *page {
	e.t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	p := &page{t: e.t, e: e, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		e.t.Fatalf("open a browser tab: %v", err)
	}
	if err := chromedp.Listen(ctx, p.listen); err != nil {
		cancel()
		e.t.Fatalf("listen to the tab: %v", err)
	}
	e.t.Cleanup(func() {
		cancel()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, msg := range p.errors {
			e.t.Errorf("script error on the page: %s", msg)
		}
	})
	return p
}

// listen records script errors (it runs on the tab's reader: be quick).
func (p *page) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		for _, a := range ev.Args {
			msg += fmt.Sprint(a.Description, string(a.Value), " ")
		}
	default:
		return
	}
	p.mu.Lock()
	p.errors = append(p.errors, msg)
	p.mu.Unlock()
}

// do runs actions with a time bound; on failure it saves a screenshot
// and stops the test.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

func (p *page) fail(what string, err error) {
	p.t.Helper()
	p.shot("FAILED-" + strings.ReplaceAll(p.t.Name(), "/", "-"))
	body, _ := evaluate[string](p, `document.body.innerText`)
	p.t.Fatalf("%s: %v\npage %s shows:\n%s", what, err, p.location(), body)
}

// evaluate runs a script and decodes its value.
func evaluate[T any](p *page, expr string, opts ...chromedp.EvaluateOption) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
}

// eval runs a script and fails the test on error (give
// chromedp.EvalAwaitPromise for a script that returns a promise).
func eval[T any](p *page, expr string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	v, err := evaluate[T](p, expr, opts...)
	if err != nil {
		p.fail("evaluate "+expr, err)
	}
	return v
}

// waitJS waits until the expression is truthy (polled every 100ms).
func (p *page) waitJS(what, expr string) {
	p.t.Helper()
	p.do("wait for "+what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(40*time.Second)))
}

// waitText waits until the first element matching sel holds text.
func (p *page) waitText(sel, text string) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%s to say %q", sel, text), fmt.Sprintf(`(document.querySelector(%s)?.textContent || '').includes(%s)`, jsString(sel), jsString(text)))
}

// text returns the text of the first element matching sel ("" if none).
func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%s)?.textContent || ''`, jsString(sel)))
}

// count returns how many elements match sel.
func (p *page) count(sel string) int {
	p.t.Helper()
	return eval[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// location is the page's path and query.
func (p *page) location() string {
	v, _ := evaluate[string](p, `location.pathname + location.search`)
	return v
}

// goTo loads a page of the dashboard.
func (p *page) goTo(path string) {
	p.t.Helper()
	p.do("navigate to "+path, chromedp.Navigate(p.e.url(path)))
}

// click clicks the first element matching sel once it is visible. A live
// page may replace the element between finding and clicking it; then the
// click is tried again on the new one.
func (p *page) click(sel string) {
	p.t.Helper()
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(p.ctx, 45*time.Second)
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			return
		}
		if try == 3 || !strings.Contains(err.Error(), "Could not find node") {
			p.fail("click "+sel, err)
		}
	}
}

// setField sets a form control's value and fires event ("input" or
// "change") as typing or choosing would.
func (p *page) setField(sel, value, event string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event(%s, {bubbles: true})); return true })()`,
		jsString(sel), jsString(value), jsString(event)))
}

// confirm clicks the confirming button of the open dialog.
func (p *page) confirm() {
	p.t.Helper()
	p.click(`dialog[open] button[data-confirm="ok"]`)
	p.waitJS("the dialog to close", `!document.querySelector('dialog[open]')`)
}

// signIn signs in with token through the form.
func (p *page) signIn(token string) {
	p.t.Helper()
	p.do("sign in",
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SetValue(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(`form.login button[type="submit"]`)))
}

// shot saves a full-page screenshot as test/artifacts/ui/name.png.
func (p *page) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(artifacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot %s", path)
}

// viewport resizes the page: a phone is 390x844 with touch.
func (p *page) viewport(w, h int64, mobile bool) {
	p.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
	}
	p.do("resize the viewport", chromedp.EmulateViewport(w, h, opts...))
}

// cookie returns the browser's session cookie for the daemon.
func (p *page) cookie() (*network.Cookie, bool) {
	p.t.Helper()
	res, err := chromedp.Call(p.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.e.url("/")}})
	if err != nil {
		p.t.Fatalf("read cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "plumb_session" {
			return c, true
		}
	}
	return nil, false
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
