package image_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb/internal/automation/image"
	"plumb.dev/plumb/internal/automation/imagetest"
	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/store"
)

// manifest is the marked manifest the automation tests update.
const manifest = `# staging web
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: %s:1.0.0 # {"$imagepolicy": "web"}   keep this comment
`

// rig is a served repository, a registry and an Automation over them.
type rig struct {
	work   *gittest.Repo
	srv    *gittest.Server
	reg    *imagetest.Registry
	auto   *image.Automation
	mu     sync.Mutex
	events []store.Event
	pushed []string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{reg: imagetest.Start(t), work: gittest.NewRepo(t)}
	r.work.WriteFile("deploy/web.yaml", strings.ReplaceAll(manifest, "%s", r.reg.Image("web")))
	r.work.WriteFile("other/web.yaml", strings.ReplaceAll(manifest, "%s", r.reg.Image("web")))
	r.work.Commit("initial")
	r.srv = gittest.Serve(t, r.work)
	r.reg.Push("web", "1.0.0")
	r.auto = image.New(image.Options{
		Writer: writeback.New(t.TempDir()),
		Emit: func(_ context.Context, ev store.Event) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.events = append(r.events, ev)
		},
		Pushed: func(_ context.Context, url, branch string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.pushed = append(r.pushed, url+"#"+branch)
		},
	})
	cfg, err := config.Parse([]config.File{{Name: "plumb.yaml", Data: []byte(strings.NewReplacer("{{URL}}", r.srv.URL(), "{{IMAGE}}", r.reg.Image("web")).Replace(`
apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}"}}
---
apiVersion: plumb.dev/v1alpha1
kind: ImagePolicy
metadata: {name: web}
spec: {image: "{{IMAGE}}", insecure: true, interval: 1s, policy: {semver: {range: ">=1.0.0 <2.0.0"}}}
---
apiVersion: plumb.dev/v1alpha1
kind: ImageUpdate
metadata: {name: staging}
spec:
  source: site
  paths: [deploy]
  commit: {author: {name: Image Bot, email: bot@example.com}}
`))}})
	if err != nil {
		t.Fatal(err)
	}
	r.auto.SetConfig(cfg)
	return r
}

// remote returns a file on the server's main branch and the commit's
// subject and body.
func (r *rig) remote(t *testing.T, path string) (content, message string) {
	t.Helper()
	r.work.Git("fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main")
	return r.work.Git("show", "origin/main:"+path), r.work.Git("log", "-1", "--format=%an|%B", "origin/main")
}

func (r *rig) eventTypes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		out = append(out, ev.Type)
	}
	return out
}

func TestAutomationUpdatesGit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.auto.Scan(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	st, err := r.auto.Update(ctx, "staging")
	if err != nil || st.Result.Revision != "" {
		t.Fatalf("at the newest tag already: %+v, %v", st, err)
	}
	r.reg.Push("web", "1.1.0", "1.2.0", "2.0.0")
	ps, err := r.auto.Scan(ctx, "web")
	if err != nil || ps.Latest.Tag != "1.2.0" {
		t.Fatalf("scan %+v, %v", ps, err)
	}
	st, err = r.auto.Update(ctx, "staging")
	if err != nil || st.Result.Revision == "" || len(st.Changes) != 1 {
		t.Fatalf("update %+v, %v", st, err)
	}
	content, msg := r.remote(t, "deploy/web.yaml")
	want := strings.ReplaceAll(manifest, "%s:1.0.0", r.reg.Image("web")+":1.2.0")
	if content+"\n" != want {
		t.Errorf("deploy/web.yaml:\n%s\nwant:\n%s", content, want)
	}
	wantMsg := "Image Bot|Update images (staging)\n\n- " + r.reg.Image("web") + ":1.0.0 → " + r.reg.Image("web") + ":1.2.0"
	if msg != wantMsg {
		t.Errorf("commit %q\nwant %q", msg, wantMsg)
	}
	if other, _ := r.remote(t, "other/web.yaml"); strings.Contains(other, "1.2.0") {
		t.Error("a file outside the update's paths changed")
	}
	if got := strings.Join(r.eventTypes(), ","); got != "image.policy.updated,image.policy.updated,image.update.committed" {
		t.Errorf("events %s", got)
	}
	if len(r.pushed) != 1 || r.pushed[0] != r.srv.URL()+"#main" {
		t.Errorf("pushed %v", r.pushed)
	}
}

func TestAutomationFailures(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.auto.Scan(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	// The registry fails: the last pick is kept, nothing is committed.
	r.reg.SetDown(true)
	ps, err := r.auto.Scan(ctx, "web")
	if err == nil || ps.Latest.Tag != "1.0.0" || ps.Error == "" {
		t.Fatalf("scan with the registry down: %+v, %v", ps, err)
	}
	before := r.work.Git("ls-remote", "origin", "refs/heads/main")
	if st, err := r.auto.Update(ctx, "staging"); err != nil || st.Result.Revision != "" {
		t.Fatalf("update with the registry down: %+v, %v", st, err)
	}
	// The git server fails: the update is an error and nothing is pushed.
	r.reg.SetDown(false)
	r.reg.Push("web", "1.3.0")
	if _, err := r.auto.Scan(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if err := r.srv.Stop(); err != nil {
		t.Fatal(err)
	}
	st, err := r.auto.Update(ctx, "staging")
	if err == nil || st.Error == "" {
		t.Fatalf("update with git down: %+v, %v", st, err)
	}
	if err := r.srv.Start(); err != nil {
		t.Fatal(err)
	}
	if after := r.work.Git("ls-remote", "origin", "refs/heads/main"); after != before {
		t.Fatalf("main moved while failing: %s -> %s", before, after)
	}
	// Both back: the update goes through.
	if st, err := r.auto.Update(ctx, "staging"); err != nil || st.Result.Revision == "" {
		t.Fatalf("update after recovery: %+v, %v", st, err)
	}
	if content, _ := r.remote(t, "deploy/web.yaml"); !strings.Contains(content, ":1.3.0 #") {
		t.Errorf("not updated: %s", content)
	}
	types := strings.Join(r.eventTypes(), ",")
	if !strings.Contains(types, "image.scan.failed") || !strings.Contains(types, "image.update.failed") {
		t.Errorf("failures not reported: %s", types)
	}
}

// TestAutomationRun runs the loop: a new tag is committed without calls.
func TestAutomationRun(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.auto.Run(ctx) }()
	r.reg.Push("web", "1.4.0")
	deadline := time.Now().Add(30 * time.Second)
	for {
		content, _ := r.remote(t, "deploy/web.yaml")
		if strings.Contains(content, ":1.4.0 #") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the loop did not commit 1.4.0; updates %+v, policies %+v", r.auto.Updates(), r.auto.Policies())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
