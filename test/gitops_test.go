package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

const webApp = `---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web}
spec: {source: site, path: web, target: local, prune: true, selfHeal: true, interval: 1m}
`

// TestGitOpsLoop covers the core loop on one app: first sync, a change, a
// deletion pruned, a hand edit reverted as drift, and history that says why.
func TestGitOpsLoop(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.repo.WriteFileMode("web/bin/reload.sh", "#!/bin/sh\necho reload\n", 0o755)
	e.repo.WriteFile("web/old.html", "old\n")
	first := e.push("first site")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()

	// First sync: files and modes arrive.
	e.fileIs("index.html", "v1\n")
	e.fileIs("old.html", "old\n")
	if fi, err := os.Stat(filepath.Join(e.live, "bin/reload.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("reload.sh mode: %v %v", fi, err)
	}
	eventually(t, "web Synced at first commit", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Revision == first, string(a.Status.Sync) + " " + a.Status.Revision
	})

	// A commit changing one file and deleting another.
	e.repo.WriteFile("web/index.html", "v2\n")
	e.repo.Remove("web/old.html")
	second := e.push("change index, drop old page")
	e.fileIs("index.html", "v2\n")
	e.gone("old.html")
	eventually(t, "history of the second commit", func() (bool, string) {
		for _, r := range d.history("web") {
			if r.Revision == second && r.Result == store.ResultSucceeded {
				return hasAction(r, "update", "index.html", plumb.ReasonChangedInGit) &&
					hasAction(r, "delete", "old.html", plumb.ReasonRemovedInGit) &&
					r.Commit.Message == "change index, drop old page" && r.Commit.Author != "", "actions"
			}
		}
		return false, "no succeeded sync of " + second
	})

	// A hand edit is reverted, and history says it drifted.
	if err := os.WriteFile(filepath.Join(e.live, "index.html"), []byte("defaced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.fileIs("index.html", "v2\n")
	eventually(t, "a drift correction in history", func() (bool, string) {
		for _, r := range d.history("web") {
			if r.Trigger == plumb.TriggerDrift && hasAction(r, "update", "index.html", plumb.ReasonDrifted) {
				return true, ""
			}
		}
		b, _ := json.Marshal(d.history("web"))
		return false, string(b)
	})

	// The CLI's table views name what happened.
	out := d.mustPlumb("history", "web")
	for _, want := range []string{"changed in Git", "removed from Git", "drifted in target", "change index, drop old page"} {
		if !strings.Contains(out, want) {
			t.Errorf("plumb history web lacks %q:\n%s", want, out)
		}
	}
	if out, code := d.plumb("diff", "web"); code != 0 || !strings.Contains(out, "in sync") {
		t.Errorf("plumb diff web on a synced app: exit %d\n%s", code, out)
	}
}

// TestDriftReportedWithoutSelfHeal: with selfHeal off a hand edit is shown
// as OutOfSync with the drift, and the file is left alone.
func TestDriftReportedWithoutSelfHeal(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+strings.Replace(webApp, "selfHeal: true", "selfHeal: false", 1))
	d := e.serve()
	e.fileIs("index.html", "v1\n")
	eventually(t, "Synced", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced, string(a.Status.Sync)
	})

	if err := os.WriteFile(filepath.Join(e.live, "index.html"), []byte("hand edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "OutOfSync with drift", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncOutOfSync && len(a.Status.Drift) == 1 && a.Status.Drift[0].Object == "index.html", string(a.Status.Sync)
	})
	if got := e.read("index.html"); got != "hand edit\n" {
		t.Fatalf("selfHeal off, yet the file was changed to %q", got)
	}
	out, code := d.plumb("diff", "web")
	if code != 1 || !strings.Contains(out, "drifted in target") || !strings.Contains(out, "+v1") {
		t.Fatalf("plumb diff web: exit %d, want 1 with the drift:\n%s", code, out)
	}
	// An explicit sync puts it back.
	d.mustPlumb("sync", "web")
	e.fileIs("index.html", "v1\n")
}

func hasAction(r store.SyncRecord, typ, object string, reason plumb.Reason) bool {
	for _, a := range r.Actions {
		if string(a.Type) == typ && a.Object == object && a.Reason == reason {
			return true
		}
	}
	return false
}

// TestUnixSocket: the daemon serves its API on a unix socket and the CLI
// reaches it there.
func TestUnixSocket(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	sock := filepath.Join(t.TempDir(), "plumb.sock")
	d := e.start("--listen", "unix://"+sock)
	d.addr = "unix://" + sock
	e.fileIs("index.html", "v1\n")
	eventually(t, "status over the socket", func() (bool, string) {
		out, code := d.plumb("get", "apps")
		return code == 0 && strings.Contains(out, "web"), out
	})
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi, err)
	}
}

// TestDiffLocal: `plumb diff --local` shows what a checkout would change
// before it is merged, and changes nothing.
func TestDiffLocal(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.repo.WriteFile("web/gone.html", "bye\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()
	e.fileIs("index.html", "v1\n")

	// A pull request's checkout: one file changed, one removed, one added.
	pr := t.TempDir()
	for p, c := range map[string]string{"web/index.html": "v2 from the PR\n", "web/new.html": "new\n"} {
		if err := os.MkdirAll(filepath.Join(pr, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pr, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code := d.plumb("diff", "--local", pr, "--app", "web")
	if code != 1 {
		t.Fatalf("plumb diff --local: exit %d, want 1 (there is a difference)\n%s", code, out)
	}
	for _, want := range []string{"update index.html: changed in Git", "+v2 from the PR", "create new.html: added in Git", "delete gone.html: removed from Git"} {
		if !strings.Contains(out, want) {
			t.Errorf("plumb diff --local lacks %q:\n%s", want, out)
		}
	}
	if e.read("index.html") != "v1\n" || e.read("gone.html") != "bye\n" {
		t.Fatal("a local diff changed the target")
	}
}
