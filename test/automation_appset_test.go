package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/forgetest"
)

const previewConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}", branch: main, interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: preview}
spec:
  generator: {branches: {source: site, glob: "preview/*"}}
  interval: 1s
  template:
    metadata: {name: "{{.name}}"}
    spec: {path: web, prune: true}
  targetTemplate:
    spec: {files: {root: "{{LIVE}}/previews/{{.name}}"}}
`

// TestPreviewEnvironments: a preview/x branch gets its own app, source
// and target root; deleting the branch removes the app and prunes its
// files.
func TestPreviewEnvironments(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "main\n")
	e.push("main site")
	if err := os.Mkdir(filepath.Join(e.live, "previews"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.writeConfig("plumb.yaml", previewConfig)
	d := e.serve()
	if got := d.appNames(t); got != "" {
		t.Fatalf("apps before any preview branch: %s", got)
	}

	e.repo.Checkout("preview/x")
	e.repo.WriteFile("web/index.html", "preview x\n")
	e.push("try x")
	e.repo.Checkout("main")
	e.fileIs("previews/preview-x/index.html", "preview x\n")
	if got := d.appNames(t); got != "preview-x" {
		t.Fatalf("apps: %s", got)
	}
	if a := d.app("preview-x"); a.Source != "preview-preview-x" || a.Target != "preview-preview-x" {
		t.Errorf("preview app %+v", a)
	}

	// The branch moves: the environment follows.
	e.repo.Checkout("preview/x")
	e.repo.WriteFile("web/index.html", "preview x, take 2\n")
	e.push("try x again")
	e.repo.Checkout("main")
	e.fileIs("previews/preview-x/index.html", "preview x, take 2\n")

	// The branch is deleted: the app goes and its files are pruned.
	e.repo.DeleteBranch("preview/x")
	e.repo.Push()
	e.gone("previews/preview-x/index.html")
	eventually(t, "preview-x removed", func() (bool, string) {
		got := d.appNames(t)
		return got == "", got
	})
}

const prConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}", branch: main, interval: 1s}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: local}
spec: {files: {root: "{{LIVE}}"}}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: prs}
spec:
  generator:
    pullRequests:
      source: site
      github: {tokenFile: "{{TOKEN}}", baseURL: "{{API}}", repository: acme/site}
  interval: 1s
  template:
    spec: {path: "apps/{{.number}}", target: local, prune: true}
`

// TestGeneratorFailureDeletesNothing: pull request apps stay while the
// GitHub API fails, also across a daemon restart, and go only when the
// working API no longer lists their pull request.
func TestGeneratorFailureDeletesNothing(t *testing.T) {
	gh := forgetest.GitHub(t, "gh-token", "acme/site")
	e := newEnv(t)
	e.repo.WriteFile("apps/1/one.txt", "pr one\n")
	e.repo.WriteFile("apps/2/two.txt", "pr two\n")
	e.push("main")
	for _, b := range []string{"feature/one", "feature/two"} {
		e.repo.Branch(b)
	}
	e.repo.Push()
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("gh-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	head := e.repo.Head()
	gh.SetPRs(forgetest.PR{Number: 1, Title: "one", Branch: "feature/one", SHA: head},
		forgetest.PR{Number: 2, Title: "two", Branch: "feature/two", SHA: head})
	e.writeConfig("plumb.yaml", strings.NewReplacer("{{TOKEN}}", token, "{{API}}", gh.URL).Replace(prConfig))
	d := e.serve()
	e.fileIs("one.txt", "pr one\n")
	e.fileIs("two.txt", "pr two\n")

	// The API fails: the apps and their files stay.
	gh.Fail(502)
	failed := len(gh.Requests())
	eventually(t, "the generator to fail a few times", func() (bool, string) {
		return len(gh.Requests()) >= failed+3 && len(d.events(t, "appset.failed")) > 0, "waiting"
	})
	if got := d.appNames(t); got != "prs-pr-1,prs-pr-2" {
		t.Fatalf("apps while the API fails: %s", got)
	}

	// A restart while it still fails: still there.
	d.stop()
	d = e.serve()
	before := len(gh.Requests())
	eventually(t, "the restarted generator to fail", func() (bool, string) {
		return len(gh.Requests()) >= before+2, "waiting"
	})
	if got := d.appNames(t); got != "prs-pr-1,prs-pr-2" {
		t.Fatalf("apps after a restart while the API fails: %s", got)
	}
	if e.read("one.txt") != "pr one\n" || e.read("two.txt") != "pr two\n" {
		t.Fatal("files of generated apps were touched while the API failed")
	}

	// The API answers again, without PR 1: its app goes, PR 2's stays.
	gh.SetPRs(forgetest.PR{Number: 2, Title: "two", Branch: "feature/two", SHA: head})
	gh.Fail(0)
	e.gone("one.txt")
	eventually(t, "prs-pr-1 removed", func() (bool, string) {
		got := d.appNames(t)
		return got == "prs-pr-2", got
	})
	e.fileIs("two.txt", "pr two\n")
}
