package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserTimes are the overview's times in the page.
type browserTimes struct {
	firstRows, complete, filter []time.Duration
}

// measureBrowser loads the overview `loads` times in headless Chromium
// signed in with the world's token (set as the session cookie).
func measureBrowser(path string, w *world, loads int) (browserTimes, error) {
	var bt browserTimes
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(w.dir, "chromium")), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "plumb_session", Value: w.token,
		URL: "http://" + w.addr + "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict}); err != nil {
		return bt, err
	}
	for range loads {
		first, all, err := loadOverview(ctx, w)
		if err != nil {
			return bt, err
		}
		bt.firstRows = append(bt.firstRows, first)
		bt.complete = append(bt.complete, all)
		for range 4 {
			d, err := filterOnce(ctx)
			if err != nil {
				return bt, err
			}
			bt.filter = append(bt.filter, d)
		}
	}
	return bt, nil
}

// loadOverview navigates to the overview and reads the marks the page
// sets (User Timing, from navigation start) when its first rows were in
// the document and when the whole list was.
func loadOverview(ctx context.Context, w *world) (first, all time.Duration, err error) {
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank"), chromedp.Navigate("http://"+w.addr+"/")); err != nil {
		return 0, 0, err
	}
	poll := func(expr string) (float64, error) {
		return chromedp.Run(tctx, chromedp.Poll[float64](expr, chromedp.WithPollingInterval(time.Millisecond), chromedp.WithPollingTimeout(time.Minute)))
	}
	if _, err := poll(`performance.getEntriesByName('plumb:apps-complete').length > 0 && performance.now()`); err != nil {
		return 0, 0, fmt.Errorf("the whole list: %w", err)
	}
	marks, err := chromedp.Run(tctx, chromedp.Evaluate[[]float64](`['plumb:apps-first-rows', 'plumb:apps-complete'].map(n => performance.getEntriesByName(n)[0].startTime)`))
	if err != nil {
		return 0, 0, err
	}
	f, a := marks[0], marks[1]
	return msDur(f), msDur(a), nil
}

// filterOnce switches the sync filter to OutOfSync and back, timing the
// synchronous filter and redraw of the switch to OutOfSync.
func filterOnce(ctx context.Context) (time.Duration, error) {
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`(() => {
		const sel = document.querySelector('#f-sync');
		sel.value = 'OutOfSync';
		const t0 = performance.now();
		sel.dispatchEvent(new Event('change', {bubbles: true}));
		const t = performance.now() - t0;
		if (!document.querySelector('#apps-body tr[data-app]')) throw new Error('no row after filtering');
		sel.value = '';
		sel.dispatchEvent(new Event('change', {bubbles: true}));
		return t;
	})()`))
	return msDur(v), err
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
