// Package kubebench is what the Kubernetes benchmarks share: a private
// testbed, a served Git repository, and a plumb serve following it.
package kubebench

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

// Daemon is a git repo served on 127.0.0.1 and a plumb serve following it.
type Daemon struct {
	Dir, Addr string
	Repo      *gittest.Repo
	Srv       *gittest.Server
	Cmd       *exec.Cmd
}

type fatal struct{}

func (fatal) Helper()                           {}
func (fatal) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

// NewRepo makes a served repository holding files.
func NewRepo(dir string, files map[string]string) (*gittest.Repo, *gittest.Server, error) {
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

// StartDaemon runs plumb serve on config.
func StartDaemon(bin, dir, config string, args ...string) (*Daemon, error) {
	d := &Daemon{Dir: dir}
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
	d.Addr = ln.Addr().String()
	ln.Close()
	d.Cmd = exec.Command(bin, append([]string{"serve", "--config", filepath.Join(dir, "config"), "--state", filepath.Join(dir, "state"), "--listen", d.Addr}, args...)...)
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	d.Cmd.Stdout, d.Cmd.Stderr = logf, logf
	return d, d.Cmd.Start()
}

// Stop ends plumb serve.
func (d *Daemon) Stop() {
	_ = d.Cmd.Process.Signal(os.Interrupt)
	_, _ = d.Cmd.Process.Wait()
}

// Apps returns the apps as the API reports them.
func (d *Daemon) Apps() ([]api.App, error) {
	resp, err := http.Get("http://" + d.Addr + "/api/v1/apps")
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

// WaitHealthy waits until n apps are Synced and Healthy, calling tick on
// every poll; it returns the time that took, and when all were first
// applied (Synced, whatever their health).
func (d *Daemon) WaitHealthy(n int, limit time.Duration, tick func()) (healthyAt time.Duration, syncedAt time.Duration, err error) {
	start := time.Now()
	for time.Since(start) < limit {
		if tick != nil {
			tick()
		}
		apps, err := d.Apps()
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
	return 0, 0, fmt.Errorf("not all %d apps Healthy within %s (see %s/serve.log)", n, limit, d.Dir)
}

// Source is a Source document for the repository at url.
func Source(url string) string {
	return fmt.Sprintf("apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: site}\nspec: {git: {url: %q, branch: main, interval: 30s}}\n", url)
}

// Cluster is a kubernetes Target document named "cluster".
func Cluster(kubeconfig string) string {
	return fmt.Sprintf("---\napiVersion: plumb.dev/v1alpha1\nkind: Target\nmetadata: {name: cluster}\nspec: {kubernetes: {kubeconfig: %q}}\n", kubeconfig)
}
