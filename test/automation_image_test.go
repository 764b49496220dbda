package e2e

import (
	"fmt"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/imagetest"
)

// markedDeployment is a manifest whose image a policy updates; its
// comments, spacing and quoting must survive byte for byte.
const markedDeployment = `# web: the image below is kept current by plumb   (do not edit by hand)
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web      # the name
  labels: {app: web,   team: "a"}
spec:
  replicas: 1

  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: "%s:%s"   # {"$imagepolicy": "web"}
          args: [ "--port",  '8080' ]   # odd spacing stays
...
`

func imageConfig(reg *imagetest.Registry) string {
	return baseConfig + fmt.Sprintf(`---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web}
spec: {source: site, path: web, target: local, prune: true}
---
apiVersion: plumb.dev/v1alpha1
kind: ImagePolicy
metadata: {name: web}
spec: {image: %q, insecure: true, interval: 1s, policy: {semver: {range: ">=1.0.0 <2.0.0"}}}
---
apiVersion: plumb.dev/v1alpha1
kind: ImageUpdate
metadata: {name: web}
spec:
  source: site
  paths: [web]
  interval: 2s
  commit: {author: {name: Image Bot, email: bot@plumb.test}}
`, reg.Image("web"))
}

// TestImageUpdateAutomation: a new tag in the registry becomes a commit in
// Git with a message listing the change, which the app then syncs; the
// manifest changes only in the tag. A registry outage and a Git outage are
// reported and retried, and never leave a half-written commit.
func TestImageUpdateAutomation(t *testing.T) {
	reg := imagetest.Start(t)
	reg.Push("web", "1.0.0")
	img := reg.Image("web")
	e := newEnv(t)
	e.repo.WriteFile("web/deploy.yaml", fmt.Sprintf(markedDeployment, img, "1.0.0"))
	first := e.push("web at 1.0.0")
	e.writeConfig("plumb.yaml", imageConfig(reg))
	d := e.serve()
	e.fileIs("deploy.yaml", fmt.Sprintf(markedDeployment, img, "1.0.0"))

	// A new tag: a commit, then a sync to it.
	reg.Push("web", "1.1.0", "2.0.0")
	want := fmt.Sprintf(markedDeployment, img, "1.1.0")
	e.fileIs("deploy.yaml", want)
	if got := e.served("main", "web/deploy.yaml"); got+"\n" != want {
		t.Fatalf("committed manifest differs beyond the tag:\n%s\nwant:\n%s", got, want)
	}
	log := e.servedLog("main")
	rev, rest, _ := strings.Cut(log, "|")
	wantMsg := fmt.Sprintf("Image Bot|Update images (web)\n\n- %s:1.0.0 → %s:1.1.0", img, img)
	if rest != wantMsg {
		t.Fatalf("commit %q\nwant %q", rest, wantMsg)
	}
	if parent, _ := runGitOut(e.repo.Dir(), "rev-parse", rev+"^"); parent != first {
		t.Errorf("the update's parent is %s, want %s", parent, first)
	}
	eventually(t, "web synced to the update commit", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Revision == rev, string(a.Status.Sync) + " " + a.Status.Revision
	})
	if h := d.history("web"); len(h) == 0 || h[0].Revision != rev || !strings.HasPrefix(h[0].Commit.Message, "Update images (web)") {
		t.Errorf("history does not show the update commit: %+v", h[0])
	}

	// The registry goes down: reported, nothing committed.
	reg.SetDown(true)
	eventually(t, "a scan failure event", func() (bool, string) {
		return len(d.events(t, "image.scan.failed")) > 0, "none yet"
	})
	reg.SetDown(false)

	// Git goes down while a new tag waits: reported; pushed once it is back.
	e.pull()
	if err := e.srv.Stop(); err != nil {
		t.Fatal(err)
	}
	reg.Push("web", "1.2.0")
	eventually(t, "an update failure event", func() (bool, string) {
		return len(d.events(t, "image.update.failed")) > 0, "none yet"
	})
	if err := e.srv.Start(); err != nil {
		t.Fatal(err)
	}
	e.fileIs("deploy.yaml", fmt.Sprintf(markedDeployment, img, "1.2.0"))
	if n := strings.Count(mustLog(t, e), "Update images (web)"); n != 2 {
		t.Errorf("%d update commits, want 2 (one per new tag, none half-written):\n%s", n, mustLog(t, e))
	}
}

// mustLog returns the server's main history, one subject a line.
func mustLog(t *testing.T, e *env) string {
	t.Helper()
	e.repo.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	out, err := runGitOut(e.repo.Dir(), "log", "--format=%s", "origin/main")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
