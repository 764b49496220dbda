// Package e2e runs the real plumb binary against real Git repositories served
// over smart HTTP on 127.0.0.1 and a real target directory.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	"plumb.dev/plumb/internal/k8stest"
	"plumb.dev/plumb/internal/store"
)

// plumbBin is the binary under test, built once by TestMain.
var plumbBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plumb-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plumbBin = filepath.Join(dir, "plumb")
	build := exec.Command("go", "build", "-o", plumbBin, "./cmd/plumb")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build plumb:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	k8stest.Main(m) // the Kubernetes tests need a testbed; the others ignore it
}

// env is one test's world: a served Git repo, a live dir and a config dir.
type env struct {
	t      *testing.T
	repo   *gittest.Repo
	srv    *gittest.Server
	live   string
	config string
	state  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	repo := gittest.NewRepo(t)
	repo.WriteFile("README.md", "test repo\n")
	repo.Commit("initial")
	e := &env{t: t, repo: repo, live: t.TempDir(), config: t.TempDir(), state: t.TempDir()}
	e.srv = gittest.Serve(t, repo)
	return e
}

// push commits everything in the work repo and pushes it to the server.
func (e *env) push(msg string) string {
	e.t.Helper()
	sha := e.repo.Commit(msg)
	e.repo.Push()
	return sha
}

// writeConfig writes plumb config documents into the config dir; %[1]s is
// the repo URL and %[2]s the live dir.
func (e *env) writeConfig(name, docs string) {
	e.t.Helper()
	body := strings.NewReplacer("{{URL}}", e.srv.URL(), "{{LIVE}}", e.live).Replace(docs)
	if err := os.WriteFile(filepath.Join(e.config, name), []byte(body), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// baseConfig is a source polled every second and a files target.
const baseConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec:
  git: {url: "{{URL}}", branch: main, interval: 1s}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: local}
spec:
  files: {root: "{{LIVE}}", checkInterval: 2s}
`

// daemon is a running `plumb serve`.
type daemon struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
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

// serve starts plumb serve on the env's config and state and waits until
// its API answers.
func (e *env) serve(extra ...string) *daemon {
	e.t.Helper()
	d := e.start(extra...)
	d.waitReady()
	return d
}

func (e *env) start(extra ...string) *daemon {
	e.t.Helper()
	addr := freePort(e.t)
	args := append([]string{"serve", "--config", e.config, "--state", e.state, "--listen", addr, "--config-interval", "500ms"}, extra...)
	d := &daemon{t: e.t, addr: addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	d.cmd = exec.Command(plumbBin, args...)
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
	return d
}

func (d *daemon) waitReady() {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-d.done:
			d.t.Fatalf("plumb serve exited: %v\n%s", err, d.logs.String())
		default:
		}
		if resp, err := http.Get("http://" + d.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("plumb serve did not answer on %s:\n%s", d.addr, d.logs.String())
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

// kill ends the daemon with SIGKILL.
func (d *daemon) kill() {
	_ = d.cmd.Process.Kill()
	<-d.done
}

// plumb runs the CLI against the daemon and returns stdout+stderr and the
// exit code.
func (d *daemon) plumb(args ...string) (string, int) {
	d.t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"--server", d.addr}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("run plumb %v: %v", args, err)
	}
	return string(out), code
}

// mustPlumb runs the CLI and fails the test on a non-zero exit.
func (d *daemon) mustPlumb(args ...string) string {
	d.t.Helper()
	out, code := d.plumb(args...)
	if code != 0 {
		d.t.Fatalf("plumb %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// app returns the app as the API reports it.
func (d *daemon) app(name string) api.App {
	d.t.Helper()
	var a api.App
	d.jsonOf(&a, "status", name, "-o", "json")
	return a
}

func (d *daemon) history(name string) []store.SyncRecord {
	d.t.Helper()
	var h []store.SyncRecord
	d.jsonOf(&h, "history", name, "-o", "json", "--limit", "100")
	return h
}

func (d *daemon) jsonOf(v any, args ...string) {
	d.t.Helper()
	out := d.mustPlumb(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		d.t.Fatalf("plumb %v: not JSON: %v\n%s", args, err, out)
	}
}

// eventually polls cond until it holds, failing with its last message
// after a generous bound (the bound is a hang guard, not a speed check).
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last: %s", what, last)
}

// fileIs waits until the live file has content.
func (e *env) fileIs(rel, content string) {
	e.t.Helper()
	eventually(e.t, rel+" to be "+fmt.Sprintf("%q", content), func() (bool, string) {
		b, err := os.ReadFile(filepath.Join(e.live, rel))
		if err != nil {
			return false, err.Error()
		}
		return string(b) == content, fmt.Sprintf("%q", b)
	})
}

// gone waits until the live file does not exist.
func (e *env) gone(rel string) {
	e.t.Helper()
	eventually(e.t, rel+" to be pruned", func() (bool, string) {
		_, err := os.Stat(filepath.Join(e.live, rel))
		return os.IsNotExist(err), fmt.Sprint(err)
	})
}

func (e *env) read(rel string) string {
	b, _ := os.ReadFile(filepath.Join(e.live, rel))
	return string(b)
}

// syncsOf filters history by result.
func syncsOf(h []store.SyncRecord, result store.SyncResult) []store.SyncRecord {
	var out []store.SyncRecord
	for _, r := range h {
		if r.Result == result {
			out = append(out, r)
		}
	}
	return out
}
