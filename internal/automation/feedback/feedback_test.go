package feedback_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/feedback"
	"plumb.dev/plumb/internal/automation/forge"
	"plumb.dev/plumb/internal/automation/forgetest"
	"plumb.dev/plumb/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const sha = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// report is a pull request changing web, breaking api and leaving db.
func report() feedback.Report {
	return feedback.Report{SHA: sha, Apps: []feedback.AppDiff{
		{App: "db", Actions: []plumb.Action{{Type: plumb.ActionUnchanged, Object: "db.conf", Reason: plumb.ReasonUpToDate}}},
		{App: "web", Actions: []plumb.Action{
			{Type: plumb.ActionUpdate, Object: "apps/v1/Deployment/web", Reason: plumb.ReasonChangedInGit,
				Diff: "-  image: r/web:1.0.0\n+  image: r/web:1.2.0"},
			{Type: plumb.ActionCreate, Object: "v1/ConfigMap/web-config", Reason: plumb.ReasonAddedInGit},
			{Type: plumb.ActionUnchanged, Object: "v1/Service/web", Reason: plumb.ReasonUpToDate},
		}},
		{App: "api", Error: "render: api/deploy.yaml:3: invalid YAML: mapping values are not allowed"},
	}}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestMarkdown(t *testing.T) {
	golden(t, "comment.golden.md", report().Markdown())
	quiet := feedback.Report{SHA: sha, Apps: []feedback.AppDiff{{App: "db"}}}
	golden(t, "quiet.golden.md", quiet.Markdown())
}

func TestStatus(t *testing.T) {
	tests := []struct {
		r     feedback.Report
		state forge.State
		desc  string
	}{
		{report(), forge.StateFailure, "1 app(s) fail to plan; 1 app(s) change: web (1 create, 1 update); 1 unchanged"},
		{feedback.Report{Apps: report().Apps[:2]}, forge.StateSuccess, "1 app(s) change: web (1 create, 1 update); 1 unchanged"},
		{feedback.Report{Apps: report().Apps[:1]}, forge.StateSuccess, "no app changes"},
	}
	for _, tc := range tests {
		st := tc.r.Status("plumb/diff", "")
		if st.State != tc.state || st.Description != tc.desc || st.Context != "plumb/diff" {
			t.Errorf("status %+v, want %s %q", st, tc.state, tc.desc)
		}
	}
}

// TestPost posts to fake GitHub and GitLab and checks the exact requests.
func TestPost(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("fb-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []forge.Kind{forge.GitHub, forge.GitLab} {
		t.Run(string(kind), func(t *testing.T) {
			srv := forgetest.GitHub(t, "fb-token", "acme/site")
			if kind == forge.GitLab {
				srv = forgetest.GitLab(t, "fb-token", "acme/site")
			}
			c, err := forge.New(kind, config.ForgeAPI{TokenFile: tokenFile, BaseURL: srv.URL, Repository: "acme/site"}, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for range 2 {
				if err := feedback.Post(ctx, c, 12, report(), "", "https://ci.example/run/1"); err != nil {
					t.Fatal(err)
				}
			}
			comments := srv.Comments(12)
			if len(comments) != 1 || comments[0] != report().Markdown() {
				t.Errorf("comments %d: want the one comment, updated", len(comments))
			}
			statuses := srv.Statuses(sha)
			if len(statuses) != 2 || statuses[1]["target_url"] != "https://ci.example/run/1" {
				t.Fatalf("statuses %v", statuses)
			}
			var lines []string
			for _, r := range srv.Requests() {
				lines = append(lines, r.Method+" "+r.Path)
			}
			golden(t, "requests-"+string(kind)+".golden", strings.Join(lines, "\n")+"\n")
		})
	}
}
