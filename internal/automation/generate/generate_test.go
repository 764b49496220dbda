package generate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb/internal/automation/forgetest"
	"plumb.dev/plumb/internal/automation/generate"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/store"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"preview/x", "preview-x"},
		{"Feature/Fix_1", "feature-fix-1"},
		{"--a..b--", "a-b"},
		{"", "x"},
		{"ünïcode", "n-code"},
		{strings.Repeat("long-", 20), "long-long-long-long-long-long-long-long-long-long-long-l-cd9dde"},
	}
	for _, tc := range tests {
		if got := generate.Slug(tc.in, 63); got != tc.want || len(got) > 63 {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeGen is a generator whose items and failure a test sets.
type fakeGen struct {
	mu    sync.Mutex
	items []generate.Item
	err   error
	calls int
}

func (f *fakeGen) Items(context.Context) ([]generate.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return slices.Clone(f.items), f.err
}

func (f *fakeGen) set(err error, branches ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.items = err, nil
	for _, b := range branches {
		name := generate.Slug(b, 63)
		f.items = append(f.items, generate.Item{Name: name, Branch: b, Values: map[string]string{"name": name, "branch": b}})
	}
}

const previewConfig = `apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "https://git.example.com/site.git"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: cluster}
spec: {kubernetes: {}}
---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: pv-taken}
spec: {source: site, path: db, target: cluster}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: pv}
spec:
  generator: {branches: {source: site, glob: "preview/*"}}
  template:
    spec: {path: deploy, target: "{{.name}}", prune: true}
  targetTemplate:
    metadata: {name: "{{.name}}"}
    spec: {files: {root: "/srv/pv/{{.name}}"}}
  interval: 1m
`

func parse(t *testing.T, docs string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]config.File{{Name: "plumb.yaml", Data: []byte(docs)}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func appNames(cfg *config.Config) string {
	var n []string
	for _, a := range cfg.Apps {
		n = append(n, a.Name)
	}
	return strings.Join(n, ",")
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newExpander(t *testing.T, dir string, gen *fakeGen, clk *clock, events *[]string) *generate.Expander {
	t.Helper()
	var mu sync.Mutex
	return generate.New(generate.Options{
		Dir: dir, Now: clk.Now,
		NewGenerator: func(*config.AppSet, *config.Config) (generate.Generator, error) { return gen, nil },
		Emit: func(_ context.Context, ev store.Event) {
			mu.Lock()
			defer mu.Unlock()
			*events = append(*events, ev.Type+": "+ev.Message)
		},
	})
}

// TestExpandKeepsLastGoodOutput walks the life of preview apps: made,
// kept while the generator fails (also across a restart), removed only
// when the working generator no longer lists their branch.
func TestExpandKeepsLastGoodOutput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := parse(t, previewConfig)
	gen := &fakeGen{}
	clk := &clock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	var events []string
	x := newExpander(t, dir, gen, clk, &events)

	gen.set(nil, "preview/a", "preview/b")
	out, err := x.Expand(ctx, cfg)
	if err != nil || appNames(out) != "pv-preview-a,pv-preview-b,pv-taken" || x.Generation() != 1 {
		t.Fatalf("first expand: %s, %v, generation %d", appNames(out), err, x.Generation())
	}
	a := out.App("pv-preview-a")
	src, tgt := out.Source(a.Source), out.Target(a.Target)
	if a.Source != "pv-preview-a" || src.Git.Branch != "preview/a" || src.Git.URL != "https://git.example.com/site.git" ||
		tgt.Files.Root != "/srv/pv/preview-a" || !a.Prune || a.Path != "deploy" || a.Interval.Duration != config.DefaultAppInterval {
		t.Fatalf("generated app %+v, source %+v, target %+v", a, src.Git, tgt)
	}
	if len(cfg.Apps) != 1 {
		t.Fatal("Expand changed its input")
	}

	// Not due: the generator is not asked again.
	out, _ = x.Expand(ctx, cfg)
	if gen.calls != 1 || appNames(out) != "pv-preview-a,pv-preview-b,pv-taken" {
		t.Fatalf("calls %d, apps %s", gen.calls, appNames(out))
	}

	// The API fails: nothing is deleted.
	gen.set(errors.New("GitHub: HTTP 502"))
	clk.Add(time.Minute)
	out, err = x.Expand(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || appNames(out) != "pv-preview-a,pv-preview-b,pv-taken" || x.Generation() != 1 {
		t.Fatalf("failing generator: %s, %v, generation %d", appNames(out), err, x.Generation())
	}

	// A restart while it fails: the saved output is used.
	x2 := newExpander(t, dir, gen, clk, &events)
	clk.Add(time.Minute)
	out, err = x2.Expand(ctx, cfg)
	if err == nil || appNames(out) != "pv-preview-a,pv-preview-b,pv-taken" {
		t.Fatalf("after restart: %s, %v", appNames(out), err)
	}

	// An invalid output (a name that is taken) is an error too.
	gen.set(nil, "preview/a", "Taken")
	clk.Add(time.Hour)
	out, err = x2.Expand(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), `duplicate name: App "pv-taken"`) || appNames(out) != "pv-preview-a,pv-preview-b,pv-taken" {
		t.Fatalf("invalid output: %s, %v", appNames(out), err)
	}

	// The generator works and no longer lists preview/b: its app goes.
	gen.set(nil, "preview/a")
	clk.Add(time.Hour)
	gen0 := x2.Generation()
	out, err = x2.Expand(ctx, cfg)
	if err != nil || appNames(out) != "pv-preview-a,pv-taken" || out.Source("pv-preview-b") != nil || out.Target("preview-b") != nil || x2.Generation() == gen0 {
		t.Fatalf("branch deleted: %s, %v", appNames(out), err)
	}

	// The AppSet leaves the config: its apps and saved output go.
	out, err = x2.Expand(ctx, parse(t, strings.Split(previewConfig, "---\napiVersion: plumb.dev/v1alpha1\nkind: AppSet")[0]))
	if err != nil || appNames(out) != "pv-taken" {
		t.Fatalf("AppSet removed: %s, %v", appNames(out), err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "appsets", "*")); len(files) != 0 {
		t.Errorf("saved outputs left: %v", files)
	}
	joined := strings.Join(events, "\n")
	for _, want := range []string{"appset.generated: AppSet pv generates 2 app(s): added pv-preview-a, pv-preview-b",
		"appset.failed: AppSet pv: GitHub: HTTP 502 (its 2 app(s) are kept; retrying)",
		"appset.generated: AppSet pv generates 1 app(s): removed pv-preview-b"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no event %q in:\n%s", want, joined)
		}
	}
}

// TestGitGenerators lists directories and branches of a served repo.
func TestGitGenerators(t *testing.T) {
	ctx := context.Background()
	work := gittest.NewRepo(t)
	for _, p := range []string{"apps/web/a.yaml", "apps/api/a.yaml", "apps/legacy-x/a.yaml", "apps/web/sub/b.yaml", "db/a.yaml"} {
		work.WriteFile(p, "x: 1\n")
	}
	work.Commit("apps")
	work.Branch("preview/one")
	work.Branch("preview/Two_2")
	work.Branch("feature/x")
	srv := gittest.Serve(t, work)
	cfg := parse(t, strings.ReplaceAll(`apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "{{URL}}"}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: cluster}
spec: {kubernetes: {}}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: svc}
spec:
  generator: {directories: {source: site, glob: "apps/*", exclude: ["apps/legacy-*"]}}
  template: {spec: {target: cluster, namespace: "{{.name}}"}}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: pv}
spec:
  generator: {branches: {source: site, glob: "preview/*"}}
  template: {metadata: {name: "{{.name}}"}, spec: {target: cluster, path: apps/web, namespace: "{{.name}}"}}
`, "{{URL}}", srv.URL()))
	x := generate.New(generate.Options{Dir: t.TempDir()})
	out, err := x.Expand(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := appNames(out); got != "preview-one,preview-two-2,svc-api,svc-web" {
		t.Fatalf("apps %s", got)
	}
	if a := out.App("svc-web"); a.Path != "apps/web" || a.Source != "site" || a.Namespace != "web" {
		t.Errorf("directory app %+v", a)
	}
	if s := out.Source(out.App("preview-two-2").Source); s.Git.Branch != "preview/Two_2" {
		t.Errorf("branch source %+v", s.Git)
	}
	// The branch goes away: so does its app. The server goes away:
	// nothing goes.
	work.DeleteBranch("preview/one")
	work.Push()
	x2 := generate.New(generate.Options{Dir: t.TempDir()})
	if out, err = x2.Expand(ctx, cfg); err != nil || appNames(out) != "preview-two-2,svc-api,svc-web" {
		t.Fatalf("after deleting preview/one: %s, %v", appNames(out), err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	x3 := generate.New(generate.Options{Dir: filepath.Join(t.TempDir())})
	if out, err = x3.Expand(ctx, cfg); err == nil || appNames(out) != "" {
		t.Fatalf("server down, nothing saved: %s, %v", appNames(out), err)
	}
}

// TestPullRequestGenerator lists pull requests on fake GitHub and GitLab
// APIs, filtered by labels and branch.
func TestPullRequestGenerator(t *testing.T) {
	ctx := context.Background()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("pr-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	prs := []forgetest.PR{
		{Number: 1, Title: "one", Branch: "feature/one", SHA: strings.Repeat("1", 40), Labels: []string{"preview", "x"}},
		{Number: 2, Title: "no label", Branch: "feature/two", SHA: strings.Repeat("2", 40)},
		{Number: 3, Title: "fork", Branch: "feature/three", SHA: strings.Repeat("3", 40), Labels: []string{"preview"}, Fork: true},
		{Number: 4, Title: "other branch", Branch: "hotfix/four", SHA: strings.Repeat("4", 40), Labels: []string{"preview"}},
	}
	for _, kind := range []string{"github", "gitlab"} {
		t.Run(kind, func(t *testing.T) {
			var srv *forgetest.Server
			if kind == "github" {
				srv = forgetest.GitHub(t, "pr-token", "acme/site")
			} else {
				srv = forgetest.GitLab(t, "pr-token", "acme/site")
			}
			srv.SetPRs(prs...)
			srv.SetPageSize(1)
			cfg := parse(t, strings.NewReplacer("{{KIND}}", kind, "{{API}}", srv.URL, "{{TOKEN}}", tokenFile).Replace(`apiVersion: plumb.dev/v1alpha1
kind: Source
metadata: {name: site}
spec: {git: {url: "https://git.example.com/acme/site.git", branch: main}}
---
apiVersion: plumb.dev/v1alpha1
kind: Target
metadata: {name: cluster}
spec: {kubernetes: {}}
---
apiVersion: plumb.dev/v1alpha1
kind: AppSet
metadata: {name: prs}
spec:
  generator:
    pullRequests:
      source: site
      {{KIND}}: {tokenFile: "{{TOKEN}}", baseURL: "{{API}}"}
      labels: [preview]
      branch: "feature/*"
  template: {spec: {target: cluster, path: deploy, namespace: "pr-{{.number}}"}}
`))
			clk := &clock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			x := generate.New(generate.Options{Dir: t.TempDir(), Now: clk.Now})
			out, err := x.Expand(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := appNames(out); got != "prs-pr-1,prs-pr-3" {
				t.Fatalf("apps %s", got)
			}
			one, three := out.Source("prs-pr-1").Git, out.Source("prs-pr-3").Git
			if one.Branch != "feature/one" || one.Commit != "" || three.Commit != strings.Repeat("3", 40) || three.Branch != "" {
				t.Errorf("sources %+v %+v", one, three)
			}
			if out.App("prs-pr-3").Namespace != "pr-3" {
				t.Errorf("app %+v", out.App("prs-pr-3"))
			}
			// The API fails: the apps stay. PR 1 closes: its app goes.
			srv.Fail(500)
			clk.Add(2 * time.Minute)
			if out, err = x.Expand(ctx, cfg); err == nil || !strings.Contains(err.Error(), "HTTP 500") || appNames(out) != "prs-pr-1,prs-pr-3" {
				t.Fatalf("API down: %s, %v", appNames(out), err)
			}
			srv.SetPRs(prs[2:]...)
			srv.Fail(0)
			clk.Add(2 * time.Minute)
			if out, err = x.Expand(ctx, cfg); err != nil || appNames(out) != "prs-pr-3" {
				t.Fatalf("after closing PR 1: %s, %v", appNames(out), err)
			}
		})
	}
}
