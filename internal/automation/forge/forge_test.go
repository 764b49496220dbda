package forge_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/automation/forge"
	"plumb.dev/plumb/internal/automation/forgetest"
	"plumb.dev/plumb/internal/config"
)

const token = "tok-3f9a-secret"

// fakes makes a fake of each forge and a client for it.
func fakes(t *testing.T, tok string) map[forge.Kind]struct {
	srv    *forgetest.Server
	client forge.Client
} {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := map[forge.Kind]struct {
		srv    *forgetest.Server
		client forge.Client
	}{}
	for kind, srv := range map[forge.Kind]*forgetest.Server{
		forge.GitHub: forgetest.GitHub(t, token, "acme/site"),
		forge.GitLab: forgetest.GitLab(t, token, "acme/platform/site"),
	} {
		repo := map[forge.Kind]string{forge.GitHub: "acme/site", forge.GitLab: "acme/platform/site"}[kind]
		c, err := forge.New(kind, config.ForgeAPI{TokenFile: file, BaseURL: srv.URL}, "https://git.example.com/"+repo+".git", nil)
		if err != nil {
			t.Fatal(err)
		}
		out[kind] = struct {
			srv    *forgetest.Server
			client forge.Client
		}{srv, c}
	}
	return out
}

func TestPullRequestsPaginated(t *testing.T) {
	for kind, f := range fakes(t, token) {
		t.Run(string(kind), func(t *testing.T) {
			var prs []forgetest.PR
			for i := 1; i <= 5; i++ {
				prs = append(prs, forgetest.PR{Number: i, Title: fmt.Sprintf("PR %d", i), Branch: fmt.Sprintf("feature/%d", i),
					SHA: strings.Repeat(fmt.Sprint(i), 40), Labels: []string{"preview"}, Fork: i == 5})
			}
			f.srv.SetPRs(prs...)
			f.srv.SetPageSize(2)
			got, err := f.client.PullRequests(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 || got[4].Number != 5 || got[4].SameRepo || !got[0].SameRepo || got[1].Branch != "feature/2" ||
				got[2].SHA != strings.Repeat("3", 40) || got[0].Labels[0] != "preview" || got[0].Base != "main" {
				t.Fatalf("pull requests %+v", got)
			}
			reqs := f.srv.Requests()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3 pages", len(reqs))
			}
			want := map[forge.Kind]string{
				forge.GitHub: "GET /repos/acme/site/pulls state=open&per_page=100&page=3",
				forge.GitLab: "GET /api/v4/projects/acme%2Fplatform%2Fsite/merge_requests state=opened&per_page=100&page=3",
			}[kind]
			if got := reqs[2].Method + " " + reqs[2].Path + " " + reqs[2].Query; got != want {
				t.Errorf("last request %q, want %q", got, want)
			}
		})
	}
}

func TestStatusAndComment(t *testing.T) {
	sha := strings.Repeat("a", 40)
	for kind, f := range fakes(t, token) {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			st := forge.Status{State: forge.StateFailure, Context: "plumb/diff", Description: strings.Repeat("x", 300), TargetURL: "https://ci.example/1"}
			if err := f.client.SetStatus(ctx, sha, st); err != nil {
				t.Fatal(err)
			}
			got := f.srv.Statuses(sha)
			if len(got) != 1 {
				t.Fatalf("statuses %v", got)
			}
			wantState, nameKey, maxLen := "failure", "context", 140
			if kind == forge.GitLab {
				wantState, nameKey, maxLen = "failed", "name", 255
			}
			if got[0]["state"] != wantState || got[0][nameKey] != "plumb/diff" || got[0]["target_url"] != "https://ci.example/1" ||
				len([]rune(got[0]["description"].(string))) != maxLen {
				t.Errorf("status %v", got[0])
			}
			marker := "<!-- plumb:diff -->"
			if err := f.client.Comment(ctx, 7, marker, marker+"\nfirst"); err != nil {
				t.Fatal(err)
			}
			if err := f.client.Comment(ctx, 7, marker, marker+"\nsecond"); err != nil {
				t.Fatal(err)
			}
			if c := f.srv.Comments(7); len(c) != 1 || c[0] != marker+"\nsecond" {
				t.Errorf("comments %q: want one, updated in place", c)
			}
		})
	}
}

func TestErrorsHideToken(t *testing.T) {
	for kind, f := range fakes(t, "wrong-"+token) {
		t.Run(string(kind), func(t *testing.T) {
			_, err := f.client.PullRequests(context.Background())
			if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), token) {
				t.Errorf("wrong token: %v", err)
			}
		})
	}
	for kind, f := range fakes(t, token) {
		t.Run(string(kind)+"/down", func(t *testing.T) {
			f.srv.Fail(502)
			if _, err := f.client.PullRequests(context.Background()); err == nil || !strings.Contains(err.Error(), "HTTP 502") {
				t.Errorf("API down: %v", err)
			}
		})
	}
}

func TestNewDerivesAPI(t *testing.T) {
	tests := []struct {
		kind forge.Kind
		url  string
		err  string
	}{
		{forge.GitHub, "https://github.com/acme/site.git", ""},
		{forge.GitHub, "git@github.com:acme/site.git", ""},
		{forge.GitLab, "ssh://git@gitlab.example.com/group/sub/project.git", ""},
		{forge.GitHub, "https://github.com/", "no OWNER/REPO"},
		{forge.GitHub, "file:///srv/repo.git", "no OWNER/REPO"},
	}
	for _, tc := range tests {
		_, err := forge.New(tc.kind, config.ForgeAPI{TokenFile: "/t"}, tc.url, nil)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("New(%s, %s) = %v, want %q", tc.kind, tc.url, err, tc.err)
		}
	}
}
