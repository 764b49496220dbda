// Command ui measures the dashboard at fleet size: a real `plumb serve`
// with 2000 files apps (4 targets, 2% of them drifted) answers the
// requests the apps overview makes, timed over loopback HTTP with a
// viewer token: the first page (?limit=50), the full list, a filtered
// list, one app (what a live update re-reads), the page and a module.
// With Chromium present it also times the overview in the browser: until
// the first rows show, until the whole list is loaded, and a filter
// change (filter + redraw of 2000 apps in the page).
//
//	go run ./bench/ui [-apps 2000] [-n 100] [-browser=true]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	apps := flag.Int("apps", 2000, "apps in the fleet")
	n := flag.Int("n", 100, "requests per measured route")
	useBrowser := flag.Bool("browser", true, "also time the overview in headless Chromium (when found)")
	flag.Parse()
	if err := run(*apps, *n, *useBrowser); err != nil {
		log.Fatal(err)
	}
}

func run(apps, n int, useBrowser bool) error {
	work, err := os.MkdirTemp("", "plumb-bench-ui")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "plumb")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/plumb").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	start := time.Now()
	w, err := newWorld(work, bin, apps)
	if err != nil {
		return err
	}
	defer w.close()
	fmt.Printf("plumb serve with %d files apps on 4 targets: all synced %.0f s after start; %d of %d hand-edited apps shown OutOfSync\n",
		apps, time.Since(start).Seconds(), w.drifted, w.edited)
	fmt.Printf("server side, %d sequential requests each over loopback HTTP with a viewer token (keep-alive):\n", n)
	routes := []struct{ name, path string }{
		{"GET /api/v1/apps?limit=50 (first page)", "/api/v1/apps?limit=50"},
		{"GET /api/v1/apps (full list)", "/api/v1/apps"},
		{"GET /api/v1/apps?sync=OutOfSync", "/api/v1/apps?sync=OutOfSync"},
		{"GET /api/v1/apps/a0001 (one app)", "/api/v1/apps/a0001"},
		{"GET / (index page)", "/"},
		{"GET /ui/assets/js/overview.js", "/ui/assets/js/overview.js"},
	}
	for _, r := range routes {
		d, size, err := w.time(r.path, n)
		if err != nil {
			return err
		}
		report(fmt.Sprintf("  %-42s %8s", r.name, bytes(size)), d)
	}
	if !useBrowser {
		return nil
	}
	path := chromium()
	if path == "" {
		fmt.Println("browser: skipped (no chromium; set PLUMB_CHROMIUM)")
		return nil
	}
	b, err := measureBrowser(path, w, 5)
	if err != nil {
		return fmt.Errorf("browser: %w", err)
	}
	fmt.Printf("browser (headless Chromium, %d page loads; times from navigation start):\n", len(b.firstRows))
	report("  first 50 rows shown                       ", b.firstRows)
	report("  whole list loaded, counts and filters live", b.complete)
	fmt.Printf("  filter change (sync=OutOfSync over %d apps, filter + redraw in the page):\n", apps)
	report("                                            ", b.filter)
	return nil
}

func report(name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) time.Duration { return d[int(q*float64(len(d)-1)+0.5)] }
	fmt.Printf("%s median %7.2f ms   p95 %7.2f ms   min %7.2f ms   max %7.2f ms\n", name,
		ms(p(0.5)), ms(p(0.95)), ms(d[0]), ms(d[len(d)-1]))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func bytes(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func chromium() string {
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
