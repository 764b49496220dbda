// Package uitest drives plumb's dashboard in real headless Chromium
// (Debian's chromium package, through the DevTools protocol with chromedp)
// against a real `plumb serve`: a real Git server, real target
// directories, tokens made with `plumb token create --local`.
// Screenshots of every page go to test/artifacts/ui/ (gitignored).
//
// Chromium is found as $PLUMB_CHROMIUM, chromium or chromium-browser.
// Without it the tests skip, except under CI=true, where they fail.
package uitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

var (
	// plumbBin is the binary under test, built once by TestMain.
	plumbBin string
	// browser is a running Chromium; each test opens its own browser
	// context (own cookies) in it. nil when Chromium is missing.
	browser context.Context
	// noBrowser says why there is no browser.
	noBrowser string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "plumb-ui-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	plumbBin = filepath.Join(dir, "plumb")
	build := exec.Command("go", "build", "-o", plumbBin, "./cmd/plumb")
	build.Dir = "../.."
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build plumb:", err)
		return 1
	}
	path := chromiumPath()
	if path == "" {
		noBrowser = "chromium not found (install Debian's chromium package, or set PLUMB_CHROMIUM)"
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "CI=true and "+noBrowser+": the dashboard's browser tests cannot run")
			return 1
		}
		return m.Run()
	}
	ctx, stop, err := startBrowser(path, filepath.Join(dir, "chromium-profile"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "start chromium:", err)
		return 1
	}
	defer stop()
	browser = ctx
	return m.Run()
}

// chromiumPath finds the browser binary, or returns "".
func chromiumPath() string {
	if p := os.Getenv("PLUMB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBrowser starts headless Chromium with a new, empty profile and no
// traffic of its own (no QUIC, no background networking, no updates).
func startBrowser(path, profile string) (context.Context, func(), error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		return nil, nil, err
	}
	return ctx, func() { cancel(); cancelAlloc() }, nil
}

// needBrowser skips the test when there is no Chromium (never under CI,
// where TestMain has failed already).
func needBrowser(t *testing.T) {
	t.Helper()
	if browser == nil {
		t.Skip("skipping the browser test: " + noBrowser)
	}
}
