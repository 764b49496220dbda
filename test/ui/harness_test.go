package uitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/gittest"
)

// env is one test's world: a Git repo served over HTTP, two live target
// directories, a config dir and a state dir.
type env struct {
	t             *testing.T
	repo          *gittest.Repo
	srv           *gittest.Server
	live, edge    string
	config, state string
	first         string // the first commit
	admin         string // an admin token, when tokens are used
	d             *daemon
}

// config: apps web and docs on target local, api on target edge; web
// reports drift instead of correcting it, so a hand edit leaves it
// OutOfSync until someone syncs.
const config = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec:
  git: {url: "{{URL}}", branch: main, interval: 1s}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: local}
spec:
  files: {root: "{{LIVE}}", checkInterval: 1s, afterApply: {command: "echo reloaded the web server"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: edge}
spec:
  files: {root: "{{EDGE}}", checkInterval: 1s}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web}
spec: {source: site, path: web, target: local, prune: true, selfHeal: false, interval: 1m}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: docs}
spec: {source: site, path: docs, target: local, prune: true, selfHeal: true, interval: 1m}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: api}
spec: {source: site, path: api, target: edge, prune: true, selfHeal: true, interval: 1m}
`

// newEnv makes the repo and config; tokens says whether to create an
// admin token before the daemon starts (without one, a loopback daemon
// serves everyone as its local admin).
func newEnv(t *testing.T, tokens bool) *env {
	t.Helper()
	needBrowser(t)
	repo := gittest.NewRepo(t)
	repo.WriteFile("web/index.html", "<h1>v1</h1>\n")
	repo.WriteFile("web/about.html", "about v1\n")
	repo.WriteFile("docs/guide.md", "# Guide\n")
	repo.WriteFile("api/api.conf", "port = 8080\npassword = hunter2\n")
	e := &env{t: t, repo: repo, live: t.TempDir(), edge: t.TempDir(), config: t.TempDir(), state: t.TempDir()}
	e.first = repo.Commit("first site")
	e.srv = gittest.Serve(t, repo)
	body := strings.NewReplacer("{{URL}}", e.srv.URL(), "{{LIVE}}", e.live, "{{EDGE}}", e.edge).Replace(config)
	if err := os.WriteFile(filepath.Join(e.config, "plumb.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if tokens {
		e.admin = e.token("root", "admin")
	}
	return e
}

// token creates a token with `plumb token create --local` and returns it.
func (e *env) token(name, role string, apps ...string) string {
	e.t.Helper()
	args := []string{"token", "create", name, "--role", role, "--local", "--state", e.state}
	if len(apps) > 0 {
		args = append(args, "--apps", strings.Join(apps, ","))
	}
	cmd := exec.Command(plumbBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("plumb %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// push commits and pushes, returning the commit.
func (e *env) push(msg string) string {
	e.t.Helper()
	sha := e.repo.Commit(msg)
	e.repo.Push()
	return sha
}

// writeLive changes a file in the local target behind plumb's back.
func (e *env) writeLive(rel, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.live, rel), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// daemon is a running `plumb serve`.
type daemon struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
}

// serve starts plumb serve and waits until every app is Synced.
func (e *env) serve() *daemon {
	e.t.Helper()
	addr := freePort(e.t)
	d := &daemon{t: e.t, addr: addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	d.cmd = exec.Command(plumbBin, "serve", "--config", e.config, "--state", e.state, "--listen", addr, "--config-interval", "500ms")
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	e.t.Cleanup(func() {
		d.stop()
		if e.t.Failed() {
			e.t.Logf("plumb serve logs:\n%s", d.logs.String())
		}
	})
	e.d = d
	eventually(e.t, "every app Synced", func() (bool, string) {
		var list api.AppList
		if err := e.getJSON("/api/v1/apps", &list); err != nil {
			return false, err.Error()
		}
		for _, a := range list.Items {
			if a.Status.Sync != "Synced" {
				return false, a.Name + " is " + string(a.Status.Sync)
			}
		}
		return len(list.Items) == 3, fmt.Sprintf("%d apps", len(list.Items))
	})
	return d
}

// url is the daemon's address for path.
func (e *env) url(path string) string { return "http://" + e.d.addr + path }

// getJSON reads an API path as the admin (or as nobody in local mode).
func (e *env) getJSON(path string, v any) error {
	select {
	case err := <-e.d.done:
		e.t.Fatalf("plumb serve exited: %v\n%s", err, e.d.logs.String())
	default:
	}
	req, err := http.NewRequest(http.MethodGet, e.url(path), nil)
	if err != nil {
		return err
	}
	if e.admin != "" {
		req.Header.Set("Authorization", "Bearer "+e.admin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

// plumb runs the CLI against the daemon with a token.
func (e *env) plumb(token string, args ...string) string {
	e.t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"--server", e.d.addr, "--token", token}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("plumb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// stop ends the daemon with SIGTERM (idempotent).
func (d *daemon) stop() {
	if d.cmd.ProcessState != nil || d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// eventually polls cond until it holds, failing with its last message
// after a generous bound (a hang guard, not a speed check).
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	last := ""
	for ctx.Err() == nil {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last: %s", what, last)
}
