package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

const twoApps = `---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: live-b}
spec:
  files: {root: "{{LIVE}}/b"}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: a}
spec: {source: site, path: apps/a, target: local, prune: true, selfHeal: true}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: b}
spec: {source: site, path: apps/b, target: live-b, prune: true, selfHeal: true}
`

// TestMonorepoOnlyChangedAppSyncs: a commit that touches only app b does
// not re-sync app a, and a's history says why.
func TestMonorepoOnlyChangedAppSyncs(t *testing.T) {
	e := newEnv(t)
	if err := os.MkdirAll(filepath.Join(e.live, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.repo.WriteFile("apps/a/a.txt", "a1\n")
	e.repo.WriteFile("apps/b/b.txt", "b1\n")
	e.push("both apps")
	e.writeConfig("plumb.yaml", baseConfig+twoApps)
	d := e.serve()
	e.fileIs("a.txt", "a1\n")
	e.fileIs("b/b.txt", "b1\n")

	e.repo.WriteFile("apps/b/b.txt", "b2\n")
	onlyB := e.push("touch only b")
	e.fileIs("b/b.txt", "b2\n")
	eventually(t, "a's history to record the skip", func() (bool, string) {
		for _, r := range d.history("a") {
			if r.Revision == onlyB {
				return r.Result == store.ResultSkipped && strings.Contains(r.Reason, "does not change apps/a"), string(r.Result) + ": " + r.Reason
			}
		}
		return false, "no record for " + onlyB
	})
	if n := len(syncsOf(d.history("a"), store.ResultSucceeded)); n != 1 {
		t.Fatalf("app a synced %d times, want 1 (only the first commit)", n)
	}
	if a := d.app("a"); a.Status.Revision != onlyB {
		t.Errorf("app a should be known to be at %s (nothing of it changed), is at %s", onlyB, a.Status.Revision)
	}
}

// TestBadConfig: a broken config is refused with file and line at start,
// and a broken edit of a running config changes nothing.
func TestBadConfig(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+strings.Replace(webApp, "prune: true", "prun: true", 1))
	d := e.start()
	err := <-d.done
	logs := d.logs.String()
	if err == nil || !strings.Contains(logs, "plumb.yaml:16") || !strings.Contains(logs, `spec.prun: unknown field`) {
		t.Fatalf("serve with a bad config: err=%v, want exit naming plumb.yaml:16 and the field:\n%s", err, logs)
	}
	if entries, _ := os.ReadDir(e.live); len(entries) != 0 {
		t.Fatalf("a bad config changed the target: %v", entries)
	}
	out, code := d.plumb("validate", e.config)
	if code != 1 || !strings.Contains(out, "plumb.yaml:16") {
		t.Fatalf("plumb validate: exit %d\n%s", code, out)
	}

	// A good config runs; a bad edit is reported and the running one kept.
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d = e.serve()
	e.fileIs("index.html", "v1\n")
	e.writeConfig("plumb.yaml", baseConfig+strings.Replace(webApp, "interval: 1m", "interval: soon", 1))
	eventually(t, "config.failed event", func() (bool, string) {
		return strings.Contains(d.logs.String(), "config.failed") && strings.Contains(d.logs.String(), `invalid duration`), ""
	})
	e.repo.WriteFile("web/index.html", "v2\n")
	e.push("still deployed under the old config")
	e.fileIs("index.html", "v2\n")
}

// TestUnreachableRepoKeepsState: with the Git server down nothing is pruned,
// the error is shown, and plumb catches up when the server is back.
func TestUnreachableRepoKeepsState(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.repo.WriteFile("web/page.html", "page\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()
	e.fileIs("page.html", "page\n")

	if err := e.srv.Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the fetch error on the app", func() (bool, string) {
		a := d.app("web")
		return strings.Contains(a.Status.LastError, "fetch source site"), a.Status.LastError
	})
	ans, code := d.plumb("sync", "web")
	if code == 0 || !strings.Contains(ans, "fetch") {
		t.Errorf("plumb sync with the repo down: exit %d, want an error naming the fetch:\n%s", code, ans)
	}
	if e.read("index.html") != "v1\n" || e.read("page.html") != "page\n" {
		t.Fatal("files changed while the repo was unreachable")
	}
	// A restart with the repo still down keeps everything too.
	d.stop()
	d = e.serve()
	eventually(t, "restart shows the fetch error", func() (bool, string) {
		a := d.app("web")
		return strings.Contains(a.Status.LastError, "fetch source site") && a.Status.Sync == plumb.SyncSynced, string(a.Status.Sync) + " " + a.Status.LastError
	})
	if e.read("page.html") != "page\n" {
		t.Fatal("restart with the repo down pruned files")
	}

	e.repo.Remove("web/page.html")
	if err := e.srv.Start(); err != nil {
		t.Fatal(err)
	}
	e.push("drop page")
	e.gone("page.html")
	eventually(t, "error cleared", func() (bool, string) { a := d.app("web"); return a.Status.LastError == "", a.Status.LastError })
}

// TestRollbackAndResume: rollback applies an old revision and pins it;
// new commits are not followed until resume.
func TestRollbackAndResume(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	v1 := e.push("v1")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()
	e.fileIs("index.html", "v1\n")
	e.repo.WriteFile("web/index.html", "v2\n")
	e.push("v2")
	e.fileIs("index.html", "v2\n")

	out := d.mustPlumb("rollback", "web", v1[:8])
	if !strings.Contains(out, "plumb resume web") {
		t.Errorf("rollback output does not say how to resume:\n%s", out)
	}
	e.fileIs("index.html", "v1\n")
	a := d.app("web")
	if a.Status.PinnedRevision != v1 || a.Status.Revision != v1 {
		t.Fatalf("after rollback: pinned %q revision %q, want %s", a.Status.PinnedRevision, a.Status.Revision, v1)
	}
	e.repo.WriteFile("web/index.html", "v3\n")
	v3 := e.push("v3")
	eventually(t, "source to see v3", func() (bool, string) {
		a := d.app("web")
		return a.Status.SourceRevision == v3 || strings.Contains(d.logs.String(), "moved to "+v3[:7]), a.Status.SourceRevision
	})
	if got := e.read("index.html"); got != "v1\n" {
		t.Fatalf("a pinned app followed a new commit: %q", got)
	}
	d.mustPlumb("resume", "web")
	e.fileIs("index.html", "v3\n")
	h := d.history("web")
	found := false
	for _, r := range h {
		found = found || (r.Trigger == plumb.TriggerRollback && r.Revision == v1 && r.Actor != "")
	}
	if !found {
		t.Errorf("history lacks the rollback with its actor: %+v", h)
	}
}

// TestDependsOnOrdering: an app waits until its dependency is synced and
// healthy at the same revision.
func TestDependsOnOrdering(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("apps/a/a.txt", "a1\n")
	e.repo.WriteFile("apps/b/b.txt", "b1\n")
	e.push("both")
	cfg := strings.Replace(twoApps, "spec: {source: site, path: apps/a,", "spec: {dependsOn: [b], source: site, path: apps/a,", 1)
	e.writeConfig("plumb.yaml", baseConfig+strings.Replace(cfg, `files: {root: "{{LIVE}}/b"}`, `files: {root: "{{LIVE}}/b", healthCheck: {command: "test -f ready"}}`, 1))
	if err := os.MkdirAll(filepath.Join(e.live, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := e.serve()
	e.fileIs("b/b.txt", "b1\n")
	eventually(t, "a waiting for b's health", func() (bool, string) {
		a := d.app("a")
		return strings.Contains(a.Status.LastError, "dependency b is not healthy"), a.Status.LastError
	})
	if _, err := os.Stat(filepath.Join(e.live, "a.txt")); err == nil {
		t.Fatal("a was applied before its dependency b was healthy")
	}
	// b becomes healthy: a follows.
	if err := os.WriteFile(filepath.Join(e.live, "b", "ready"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d.mustPlumb("sync", "b")
	e.fileIs("a.txt", "a1\n")
	ha, hb := d.history("a"), d.history("b")
	if len(ha) == 0 || len(hb) == 0 || !ha[len(ha)-1].StartedAt.After(hb[len(hb)-1].StartedAt) {
		t.Fatalf("a's first sync did not come after b's")
	}
}

// TestPathEscapeRejected: a symlink in Git pointing outside the target
// root is refused and nothing outside the root is touched.
func TestPathEscapeRejected(t *testing.T) {
	e := newEnv(t)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.repo.WriteFile("web/index.html", "v1\n")
	e.repo.Symlink(outside, "web/escape")
	e.push("symlink escaping the root")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()
	eventually(t, "the sync to fail naming the symlink", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncFailed && strings.Contains(a.Status.LastError, "escape"), a.Status.LastError
	})
	if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
		t.Fatalf("file outside the root changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(e.live, "index.html")); err == nil {
		t.Fatal("a plan with an escaping path was partly applied")
	}
	// An App path with .. is refused by config validation.
	bad := filepath.Join(t.TempDir(), "plumb.yaml")
	body := strings.Replace(baseConfig+webApp, "path: web", "path: ../../etc", 1)
	if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := d.plumb("validate", filepath.Dir(bad))
	if code != 1 || !strings.Contains(out, "spec.path") {
		t.Fatalf("validate of a path with ..: exit %d\n%s", code, out)
	}
}
