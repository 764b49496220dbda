package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/gittest"
)

// daemon is a git repo served on 127.0.0.1 and a plumb serve following it.
type daemon struct {
	dir, addr string
	repo      *gittest.Repo
	srv       *gittest.Server
	cmd       *exec.Cmd
}

type fatal struct{}

func (fatal) Helper()                           {}
func (fatal) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

// newRepo makes a served repository holding files.
func newRepo(dir string, files map[string]string) (*gittest.Repo, *gittest.Server, error) {
	if err := os.MkdirAll(filepath.Join(dir, "repo"), 0o755); err != nil {
		return nil, nil, err
	}
	repo := gittest.InitRepo(fatal{}, filepath.Join(dir, "repo"))
	for p, c := range files {
		repo.WriteFile(p, c)
	}
	repo.Commit("bench")
	srv, err := gittest.ServeRepo(repo, filepath.Join(dir, "served"))
	return repo, srv, err
}

// startDaemon runs plumb serve on config.
func startDaemon(bin, dir, config string, args ...string) (*daemon, error) {
	d := &daemon{dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "plumb.yaml"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.addr = ln.Addr().String()
	ln.Close()
	d.cmd = exec.Command(bin, append([]string{"serve", "--config", filepath.Join(dir, "config"), "--state", filepath.Join(dir, "state"), "--listen", d.addr}, args...)...)
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	return d, d.cmd.Start()
}

func (d *daemon) stop() {
	_ = d.cmd.Process.Signal(os.Interrupt)
	_, _ = d.cmd.Process.Wait()
}

// apps returns the apps as the API reports them ("" error when down yet).
func (d *daemon) apps() ([]api.App, error) {
	resp, err := http.Get("http://" + d.addr + "/api/v1/apps")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var list api.AppList
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	return list.Items, nil
}

// waitHealthy waits until n apps are Synced and Healthy, calling tick on
// every poll; it returns the time that took, and when all were first
// applied (Synced, whatever their health).
func (d *daemon) waitHealthy(n int, limit time.Duration, tick func()) (healthyAt time.Duration, syncedAt time.Duration, err error) {
	start := time.Now()
	for time.Since(start) < limit {
		if tick != nil {
			tick()
		}
		apps, err := d.apps()
		healthy, synced := 0, 0
		for _, a := range apps {
			if a.Status.Sync == "Synced" {
				synced++
				if a.Status.Health == "Healthy" {
					healthy++
				}
			}
		}
		if err == nil && synced == n && syncedAt == 0 {
			syncedAt = time.Since(start)
		}
		if err == nil && healthy == n {
			return time.Since(start), syncedAt, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, 0, fmt.Errorf("not all %d apps Healthy within %s (see %s/serve.log)", n, limit, d.dir)
}

func source(url string) string {
	return fmt.Sprintf("apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: site}\nspec: {git: {url: %q, branch: main, interval: 30s}}\n", url)
}

func cluster(kubeconfig string) string {
	return fmt.Sprintf("---\napiVersion: plumb.dev/v1alpha1\nkind: Target\nmetadata: {name: cluster}\nspec: {kubernetes: {kubeconfig: %q}}\n", kubeconfig)
}
