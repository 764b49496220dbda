package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/gittest"
)

// targets is how many targets the apps are spread over.
const targets = 4

// world is a served repo, live dirs and a running plumb serve.
type world struct {
	dir, addr, token string
	repo             *gittest.Repo
	srv              *gittest.Server
	cmd              *exec.Cmd
	apps, drifted    int
	edited           int
	client           *http.Client
}

type fatal struct{}

func (fatal) Helper()                           {}
func (fatal) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

func newWorld(dir, bin string, apps int) (*world, error) {
	w := &world{dir: dir, apps: apps, client: &http.Client{Timeout: time.Minute}}
	for _, d := range []string{filepath.Join(dir, "repo"), filepath.Join(dir, "config"), filepath.Join(dir, "state")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	w.repo = gittest.InitRepo(fatal{}, filepath.Join(dir, "repo"))
	for i := range apps {
		w.repo.WriteFile(fmt.Sprintf("apps/a%04d/a%04d/index.html", i, i), fmt.Sprintf("<h1>app %d</h1>\n", i))
	}
	w.repo.Commit("fleet of apps\n\nOne directory per app, one page each.")
	srv, err := gittest.ServeRepo(w.repo, filepath.Join(dir, "served"))
	if err != nil {
		return nil, err
	}
	w.srv = srv
	if err := os.WriteFile(filepath.Join(dir, "config", "plumb.yaml"), []byte(w.config()), 0o644); err != nil {
		return nil, err
	}
	out, err := exec.Command(bin, "token", "create", "bench", "--role", "viewer", "--local", "--state", filepath.Join(dir, "state")).Output()
	if err != nil {
		return nil, fmt.Errorf("create a token: %w", err)
	}
	w.token = strings.TrimSpace(string(out))
	if err := w.start(bin); err != nil {
		w.close()
		return nil, err
	}
	if err := w.drift(); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// live is the live file of app i.
func (w *world) live(i int) string {
	return filepath.Join(w.dir, fmt.Sprintf("live%d", i%targets), fmt.Sprintf("a%04d", i), "index.html")
}

// config: every 50th app reports drift instead of correcting it.
func (w *world) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: site}\nspec: {git: {url: %q, branch: main, interval: 30s}}\n", w.srv.URL())
	for t := range targets {
		fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: Target\nmetadata: {name: t%d}\nspec: {files: {root: %q, checkInterval: 1m}}\n", t, filepath.Join(w.dir, fmt.Sprintf("live%d", t)))
	}
	for i := range w.apps {
		fmt.Fprintf(&b, "---\napiVersion: plumb.dev/v1alpha1\nkind: App\nmetadata: {name: a%04d}\nspec: {source: site, path: apps/a%04d, target: t%d, prune: true, selfHeal: %v, interval: 10m}\n",
			i, i, i%targets, i%50 != 7)
	}
	return b.String()
}

func (w *world) start(bin string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	w.addr = ln.Addr().String()
	ln.Close()
	w.cmd = exec.Command(bin, "serve", "--config", filepath.Join(w.dir, "config"), "--state", filepath.Join(w.dir, "state"),
		"--listen", w.addr, "--concurrency", "8")
	logf, err := os.Create(filepath.Join(w.dir, "serve.log"))
	if err != nil {
		return err
	}
	w.cmd.Stdout, w.cmd.Stderr = logf, logf
	if err := w.cmd.Start(); err != nil {
		return err
	}
	return waitFor(10*time.Minute, func() bool {
		var list api.AppList
		if err := w.get("/api/v1/apps?sync=Synced&limit=1", &list); err != nil {
			return false
		}
		return list.Total == w.apps
	})
}

// drift edits the live file of the apps that report drift, and waits
// until the daemon shows them OutOfSync, or until the count stops growing
// for a minute (drivers that cannot watch every app see less).
func (w *world) drift() error {
	edited := 0
	for i := 7; i < w.apps; i += 50 {
		if err := os.WriteFile(w.live(i), []byte("edited by hand\n"), 0o644); err != nil {
			return err
		}
		edited++
	}
	last, since := -1, time.Now()
	for time.Since(since) < time.Minute && w.drifted < edited {
		var list api.AppList
		if err := w.get("/api/v1/apps?sync=OutOfSync&limit=1", &list); err != nil {
			return err
		}
		w.drifted = list.Total
		if w.drifted != last {
			last, since = w.drifted, time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
	w.edited = edited
	return nil
}

// get reads an API path as JSON.
func (w *world) get(path string, v any) error {
	b, err := w.fetch(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (w *world) fetch(path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+w.addr+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return b, err
}

// time fetches path n times (after one warm-up) and returns the
// durations and the answer's size.
func (w *world) time(path string, n int) ([]time.Duration, int, error) {
	b, err := w.fetch(path)
	if err != nil {
		return nil, 0, err
	}
	out := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := w.fetch(path); err != nil {
			return nil, 0, err
		}
		out = append(out, time.Since(start))
	}
	return out, len(b), nil
}

func (w *world) close() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(os.Interrupt)
		_, _ = w.cmd.Process.Wait()
	}
	if w.srv != nil {
		w.srv.Close()
	}
}

func waitFor(limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("condition not met within %s", limit)
}
