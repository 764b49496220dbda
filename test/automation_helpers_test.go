package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/store"
)

// pull brings the work repo's main to the server's, so that a later
// e.push (a force push) keeps the commits plumb pushed.
func (e *env) pull() {
	e.t.Helper()
	e.repo.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	e.repo.Git("reset", "-q", "--hard", "origin/main")
}

// served returns a file as the server has it on ref ("" when missing).
func (e *env) served(ref, path string) string {
	e.t.Helper()
	e.repo.Git("fetch", "-q", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
	out, err := runGitOut(e.repo.Dir(), "show", "origin/"+ref+":"+path)
	if err != nil {
		return ""
	}
	return out
}

// servedLog returns "%an|%B" of the server's ref.
func (e *env) servedLog(ref string) string {
	e.t.Helper()
	e.repo.Git("fetch", "-q", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
	out, _ := runGitOut(e.repo.Dir(), "log", "-1", "--format=%H|%an|%B", "origin/"+ref)
	return out
}

// events returns the daemon's events of type typ.
func (d *daemon) events(t *testing.T, typ string) []store.Event {
	t.Helper()
	c, err := api.NewClient(d.addr, "")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.Events(context.Background(), "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Event
	for _, ev := range all {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// appNames lists the daemon's apps.
func (d *daemon) appNames(t *testing.T) string {
	t.Helper()
	var apps []api.App
	d.jsonOf(&apps, "get", "apps", "-o", "json")
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	return strings.Join(names, ",")
}

// runGitOut runs git in dir with a clean environment and returns its
// trimmed stdout.
func runGitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gittest.Env()
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
