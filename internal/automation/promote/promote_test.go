package promote_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/promote"
	"plumb.dev/plumb/internal/automation/writeback"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
)

const stagingDeploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: registry.example/web:1.2.0 # {"$imagepolicy": "web"}
      - name: side
        image: registry.example/side:0.3 # {"$imagepolicy": "side"}
`

const prodDeploy = `# production: promoted by hand only
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3   # more than staging
  template:
    spec:
      containers:
      - name: web
        image: "registry.example/web:1.0.0"    # {"$imagepolicy": "web"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: side-values}
data:
  tag: 0.1 # {"$imagepolicy": "side:tag"}
`

// world is a served repo with staging and production paths and a Promoter.
type world struct {
	work *gittest.Repo
	p    *promote.Promoter
	rev  string // what staging runs
	cfg  *config.Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{work: gittest.NewRepo(t)}
	w.work.WriteFile("envs/staging/deploy.yaml", stagingDeploy)
	w.work.WriteFile("envs/staging/extra.yaml", "kind: ConfigMap\n")
	w.work.WriteFile("envs/prod/deploy.yaml", prodDeploy)
	w.work.WriteFile("envs/prod/old.yaml", "kind: Secret\n")
	w.rev = w.work.Commit("staging at 1.2.0")
	srv := gittest.Serve(t, w.work)
	var err error
	w.cfg, err = config.Parse([]config.File{{Name: "plumb.yaml", Data: []byte(strings.ReplaceAll(`apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: releases}
spec: {git: {url: "{{URL}}", semver: ">=1.0.0"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: local}
spec: {files: {root: /tmp/x}}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-staging}
spec: {source: site, path: envs/staging, target: local}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-prod}
spec: {source: site, path: envs/prod, target: local}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: web-tagged}
spec: {source: releases, path: envs/prod, target: local}
`, "{{URL}}", srv.URL()))}})
	if err != nil {
		t.Fatal(err)
	}
	w.p = promote.New(promote.Options{
		Writer: writeback.New(t.TempDir()),
		Config: func() *config.Config { return w.cfg },
		Deployed: func(_ context.Context, app string) (string, error) {
			if app == "web-staging" {
				return w.rev, nil
			}
			return "", nil
		},
	})
	return w
}

func (w *world) remote(t *testing.T, ref, file string) string {
	t.Helper()
	w.work.Git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
	return w.work.Git("show", "origin/"+ref+":"+file)
}

func TestPromoteImages(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// Staging moves on after the deployed revision: that revision counts.
	w.work.WriteFile("envs/staging/deploy.yaml", strings.ReplaceAll(stagingDeploy, "1.2.0", "1.3.0"))
	w.work.Commit("staging at 1.3.0, not deployed yet")
	w.work.Push()
	res, err := w.p.Promote(ctx, promote.Request{From: "web-staging", To: "web-prod", Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != promote.ModeImages || res.FromRevision != w.rev || res.Commit.Revision == "" || len(res.Changes) != 2 {
		t.Fatalf("result %+v", res)
	}
	want := strings.NewReplacer(`web:1.0.0"`, `web:1.2.0"`, "tag: 0.1 #", `tag: "0.3" #`).Replace(prodDeploy)
	if got := w.remote(t, "main", "envs/prod/deploy.yaml"); got+"\n" != want {
		t.Errorf("prod deploy.yaml:\n%s\nwant:\n%s", got, want)
	}
	msg := w.work.Git("log", "-1", "--format=%an|%B", "origin/main")
	wantMsg := "alice|Promote web-staging to web-prod: registry.example/web:1.2.0, 0.3\n\n" +
		"web-staging at " + w.rev[:7] + " (staging at 1.2.0) promoted to web-prod:\n" +
		"- envs/prod/deploy.yaml: registry.example/web:1.0.0 → registry.example/web:1.2.0\n" +
		"- envs/prod/deploy.yaml: 0.1 → 0.3\n\n" +
		"Plumb-Promote-From: web-staging@" + w.rev + "\nPlumb-Promote-To: web-prod\nPlumb-Promoted-By: alice"
	if msg != wantMsg {
		t.Errorf("message:\n%s\nwant:\n%s", msg, wantMsg)
	}
	if w.remote(t, "main", "envs/prod/old.yaml") != "kind: Secret" {
		t.Error("images mode touched other files")
	}
	again, err := w.p.Promote(ctx, promote.Request{From: "web-staging", To: "web-prod"})
	if err != nil || again.Commit.Revision != "" {
		t.Fatalf("promoting again: %+v, %v", again, err)
	}
}

func TestPromoteTreeToBranch(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	res, err := w.p.Promote(ctx, promote.Request{From: "web-staging", To: "web-prod", Mode: promote.ModeTree, Branch: "promote/web"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit.Branch != "promote/web" || len(res.Changes) != 3 {
		t.Fatalf("result %+v", res)
	}
	got := []string{}
	for _, c := range res.Changes {
		got = append(got, c.Action+" "+c.File)
	}
	if strings.Join(got, ", ") != "changed envs/prod/deploy.yaml, added envs/prod/extra.yaml, removed envs/prod/old.yaml" {
		t.Errorf("changes %v", got)
	}
	if w.remote(t, "promote/web", "envs/prod/deploy.yaml")+"\n" != stagingDeploy {
		t.Error("tree not copied")
	}
	if w.remote(t, "main", "envs/prod/deploy.yaml")+"\n" != prodDeploy {
		t.Error("main changed by a promotion to a branch")
	}
}

func TestPromoteRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tests := []struct {
		req  promote.Request
		want string
	}{
		{promote.Request{From: "web-staging", To: "nope"}, `app "nope" is not in the config`},
		{promote.Request{From: "web-staging", To: "web-staging"}, "cannot be promoted to itself"},
		{promote.Request{From: "web-staging", To: "web-tagged"}, "follows tags matching >=1.0.0, not a branch"},
		{promote.Request{From: "web-prod", To: "web-staging"}, "has not synced yet"},
		{promote.Request{From: "web-staging", To: "web-prod", Mode: "magic"}, `unknown mode "magic"`},
	}
	for _, tc := range tests {
		_, err := w.p.Promote(ctx, tc.req)
		if !errors.Is(err, promote.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.req, err, tc.want)
		}
	}
	// No matching markers in the target path.
	w.work.WriteFile("envs/prod/deploy.yaml", "image: x:1 # {\"$imagepolicy\": \"other\"}\n")
	w.work.Commit("prod marks another policy")
	w.work.Push()
	if _, err := w.p.Promote(ctx, promote.Request{From: "web-staging", To: "web-prod"}); err == nil || !strings.Contains(err.Error(), "no $imagepolicy marker under envs/prod matches") {
		t.Errorf("no matching markers: %v", err)
	}
}
