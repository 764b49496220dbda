package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/forgetest"
)

// TestPullRequestFeedback: plumb pr-feedback plans every app from a pull
// request's checkout and posts a commit status and one comment on GitHub.
func TestPullRequestFeedback(t *testing.T) {
	gh := forgetest.GitHub(t, "fb-token", "acme/site")
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "v1\n")
	e.repo.WriteFile("api/api.conf", "port 80\n")
	e.push("site")
	e.writeConfig("plumb.yaml", baseConfig+webApp+`---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: api}
spec: {source: site, path: api, target: local}
`)
	d := e.serve()
	e.fileIs("index.html", "v1\n")
	e.fileIs("api.conf", "port 80\n")

	// The pull request changes web only.
	e.repo.Checkout("feature/v2")
	e.repo.WriteFile("web/index.html", "v2\n")
	head := e.repo.Commit("v2")
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("fb-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"pr-feedback", "--local", e.repo.Dir(), "--forge", "github", "--repo", "acme/site",
		"--base-url", gh.URL, "--token-file", token, "--pr", "7"}
	out := d.mustPlumb(args...)
	if !strings.Contains(out, "success on "+head[:7]+": 1 app(s) change: web (1 update); 1 unchanged") {
		t.Fatalf("pr-feedback said:\n%s", out)
	}
	d.mustPlumb(args...) // a second run updates the same comment
	st := gh.Statuses(head)
	if len(st) != 2 || st[0]["context"] != "plumb/diff" || st[0]["state"] != "success" {
		t.Fatalf("statuses %v", st)
	}
	comments := gh.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	for _, want := range []string{"what merging `" + head[:7] + "` changes", "| `web` | 1 update |", "**update** `index.html`: changed in Git", "-v1", "+v2", "1 other app(s) do not change"} {
		if !strings.Contains(comments[0], want) {
			t.Errorf("comment lacks %q:\n%s", want, comments[0])
		}
	}
	if e.read("index.html") != "v1\n" {
		t.Error("feedback changed the target")
	}
}
