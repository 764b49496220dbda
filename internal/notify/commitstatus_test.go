package notify

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestGitHubStatus checks the exact request GitHub's commit status API
// gets.
func TestGitHubStatus(t *testing.T) {
	const token = "ghp_T0k3nF0rT3sts"
	srv := newRecorder(t, answer{status: http.StatusCreated, body: `{"state":"failure"}`})
	g, err := NewGitHub(writeSecret(t, token), srv.URL+"/", http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	req := srv.next(t)
	if want := "/repos/acme/web-config/statuses/" + sampleRevision; req.Method != http.MethodPost || req.RequestURI != want {
		t.Errorf("request = %s %s, want POST %s", req.Method, req.RequestURI, want)
	}
	for h, want := range map[string]string{
		"Authorization": "Bearer " + token, "Accept": "application/vnd.github+json",
		"X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	want := map[string]any{
		"state": "failure", "context": "plumb/web", "target_url": "https://plumb.example.com/apps/web",
		"description": "sync failed: apply web at 1a2b3c4: Deployment web: admission webhook denied the request: <image> must be pinned & signed",
	}
	if got := decode(t, req.Body); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v\nwant %v", got, want)
	}
	checkGolden(t, "github.json", req.Body)
}

// TestGitHubStates checks the state of every event and the 140
// character description limit.
func TestGitHubStates(t *testing.T) {
	srv := newRecorder(t, answer{status: http.StatusCreated})
	g, _ := NewGitHub(writeSecret(t, "tok3n-value"), srv.URL, http.DefaultClient)
	for event, state := range map[string]string{
		"sync.succeeded": "success", "sync.failed": "failure", "health.degraded": "failure",
		"health.recovered": "success", "drift.detected": "error", "drift.corrected": "success",
		"app.rollback": "pending",
	} {
		msg := sampleMessage()
		msg.Event, msg.Text = event, strings.Repeat("long text ", 40)
		if err := g.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		body := decode(t, srv.next(t).Body)
		if body["state"] != state {
			t.Errorf("%s: state = %v, want %s", event, body["state"], state)
		}
		if d := body["description"].(string); len([]rune(d)) > 140 || !strings.HasPrefix(d, msg.What()+": long text") {
			t.Errorf("%s: description %q (%d characters)", event, d, len([]rune(d)))
		}
	}
}

// TestCommitStatusSkips checks that messages without a revision or of
// other events set no status.
func TestCommitStatusSkips(t *testing.T) {
	srv := newRecorder(t)
	tok := writeSecret(t, "tok3n-value")
	g, _ := NewGitHub(tok, srv.URL, http.DefaultClient)
	l, _ := NewGitLab(tok, srv.URL, http.DefaultClient)
	noRev := sampleMessage()
	noRev.Revision = ""
	other := sampleMessage()
	other.Event = "app.suspended"
	for _, p := range []Provider{g, l} {
		for _, msg := range []Message{noRev, other} {
			if err := p.Send(context.Background(), msg); err != nil {
				t.Errorf("%T.Send: %v", p, err)
			}
		}
	}
	if n := srv.count(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestGitLabStatus checks the exact request GitLab's commit status API
// gets, with the project path URL-encoded.
func TestGitLabStatus(t *testing.T) {
	const token = "glpat-T0k3nF0rT3sts"
	srv := newRecorder(t, answer{status: http.StatusCreated})
	g, err := NewGitLab(writeSecret(t, token), srv.URL, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	msg := sampleMessage()
	msg.SourceURL = "git@gitlab.example.com:platform/deploy/web-config.git"
	if err := g.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	req := srv.next(t)
	if want := "/api/v4/projects/platform%2Fdeploy%2Fweb-config/statuses/" + sampleRevision; req.Method != http.MethodPost || req.RequestURI != want {
		t.Errorf("request = %s %s, want POST %s", req.Method, req.RequestURI, want)
	}
	if got := req.Header.Get("PRIVATE-TOKEN"); got != token {
		t.Errorf("PRIVATE-TOKEN = %q", got)
	}
	if got := req.Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none", got)
	}
	want := map[string]any{
		"state": "failed", "name": "plumb/web", "target_url": "https://plumb.example.com/apps/web",
		"description": "sync failed: apply web at 1a2b3c4: Deployment web: admission webhook denied the request: <image> must be pinned & signed",
	}
	if got := decode(t, req.Body); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v\nwant %v", got, want)
	}
	checkGolden(t, "gitlab.json", req.Body)
}

// TestGitLabStates checks the state of every event and a server under a
// path prefix.
func TestGitLabStates(t *testing.T) {
	srv := newRecorder(t, answer{status: http.StatusCreated})
	g, _ := NewGitLab(writeSecret(t, "tok3n-value"), srv.URL+"/gitlab", http.DefaultClient)
	for event, state := range map[string]string{
		"sync.succeeded": "success", "sync.failed": "failed", "health.degraded": "failed",
		"health.recovered": "success", "drift.detected": "failed", "drift.corrected": "success",
		"app.rollback": "running",
	} {
		msg := sampleMessage()
		msg.Event, msg.SourceURL = event, "https://git.example.com/gitlab/team/app.git"
		if err := g.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		req := srv.next(t)
		if want := "/gitlab/api/v4/projects/team%2Fapp/statuses/" + sampleRevision; req.RequestURI != want {
			t.Errorf("%s: path %s, want %s", event, req.RequestURI, want)
		}
		if body := decode(t, req.Body); body["state"] != state {
			t.Errorf("%s: state = %v, want %s", event, body["state"], state)
		}
	}
}

// TestGitLabSameState checks that GitLab's refusal to set a status to
// the state it has counts as success, and other 400s do not.
func TestGitLabSameState(t *testing.T) {
	srv := newRecorder(t,
		answer{status: http.StatusBadRequest, body: `{"message":"Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")"}`},
		answer{status: http.StatusBadRequest, body: `{"message":"state is invalid"}`},
	)
	g, _ := NewGitLab(writeSecret(t, "tok3n-value"), srv.URL, http.DefaultClient)
	msg := sampleMessage()
	msg.SourceURL = "https://gitlab.example.com/team/app"
	if err := g.Send(context.Background(), msg); err != nil {
		t.Errorf("same state: %v, want success", err)
	}
	var he *HTTPError
	if err := g.Send(context.Background(), msg); !errors.As(err, &he) || he.Status != 400 || Retryable(err) {
		t.Errorf("other 400: %v, want a permanent HTTP 400", err)
	}
}

// TestCommitStatusRepository checks the repositories found in Git URLs
// and the API each provider calls by default.
func TestCommitStatusRepository(t *testing.T) {
	tests := []struct {
		url, host, path, github, gitlab string
	}{
		{"https://github.com/acme/web.git", "github.com", "acme/web", "https://api.github.com/repos/acme/web/statuses/abc", ""},
		{"git@github.com:acme/web.git", "github.com", "acme/web", "https://api.github.com/repos/acme/web/statuses/abc", ""},
		{"ssh://git@github.com/acme/web", "github.com", "acme/web", "https://api.github.com/repos/acme/web/statuses/abc", ""},
		{"https://ghe.example.com/acme/web/", "ghe.example.com", "acme/web", "https://ghe.example.com/api/v3/repos/acme/web/statuses/abc", ""},
		{"ssh://git@gitlab.example.com:2222/g/sub/p.git", "gitlab.example.com", "g/sub/p", "", "https://gitlab.example.com/api/v4/projects/g%2Fsub%2Fp/statuses/abc"},
		{"http://127.0.0.1:8080/g/p.git", "127.0.0.1:8080", "g/p", "", "http://127.0.0.1:8080/api/v4/projects/g%2Fp/statuses/abc"},
	}
	for _, tc := range tests {
		r, err := parseRepository(tc.url)
		if err != nil || r.host != tc.host || r.path != tc.path {
			t.Errorf("parseRepository(%q) = %+v, %v; want host %s path %s", tc.url, r, err, tc.host, tc.path)
			continue
		}
		if tc.github != "" {
			if got := (&GitHub{}).api(r).JoinPath("repos", "acme", "web", "statuses", "abc").String(); got != tc.github {
				t.Errorf("%s: GitHub URL %s, want %s", tc.url, got, tc.github)
			}
		}
		if tc.gitlab != "" {
			if got := (&GitLab{}).statusURL(r, "abc").String(); got != tc.gitlab {
				t.Errorf("%s: GitLab URL %s, want %s", tc.url, got, tc.gitlab)
			}
		}
	}
}

// TestCommitStatusNoRepository checks that Git URLs without a repository
// on a host fail for good, without echoing the URL.
func TestCommitStatusNoRepository(t *testing.T) {
	srv := newRecorder(t)
	g, _ := NewGitHub(writeSecret(t, "tok3n-value"), srv.URL, http.DefaultClient)
	for _, u := range []string{"", "file:///srv/git/s3cr3t.git", "https://github.com/s3cr3t", "s3cr3t", "https://github.com/a/b/s3cr3t"} {
		msg := sampleMessage()
		msg.SourceURL = u
		err := g.Send(context.Background(), msg)
		if err == nil || Retryable(err) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("source %q: %v, want a permanent error without the URL", u, err)
		}
	}
	if n := srv.count(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}
