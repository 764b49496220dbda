package gittest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/gittest"
)

func cloneOK(t *testing.T, url string, extra ...string) (string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	args := append([]string{}, extra...)
	args = append(args, "clone", "-q", url, dir)
	cmd := gittestCmd(args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), err
	}
	return dir, nil
}

func TestServeCloneAndPush(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "one\n")
	first := repo.Commit("first")
	srv := gittest.Serve(t, repo)

	dir, err := cloneOK(t, srv.URL())
	if err != nil {
		t.Fatalf("clone: %v: %s", err, dir)
	}
	got, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	if err != nil || string(got) != "one\n" {
		t.Fatalf("cloned a.txt = %q, %v", got, err)
	}
	if srv.Requests() == 0 || srv.BytesServed() == 0 {
		t.Fatalf("requests=%d bytes=%d, want both > 0", srv.Requests(), srv.BytesServed())
	}

	repo.WriteFile("a.txt", "two\n")
	second := repo.Commit("second")
	if second == first {
		t.Fatal("second commit has the first commit's ID")
	}
	repo.Tag("v1.0.0")
	repo.Push()
	out := gitIn(t, srv.BareDir(), "rev-parse", "refs/heads/main", "refs/tags/v1.0.0")
	if want := second + "\n" + second; out != want {
		t.Fatalf("bare refs after push = %q, want %q", out, want)
	}
}

func TestServeBasicAuth(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "one\n")
	repo.Commit("first")
	srv := gittest.Serve(t, repo, gittest.WithBasicAuth("alice", "s3cret"))

	tests := []struct {
		name       string
		user, pass string
		want       int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"wrong password", "alice", "nope", http.StatusUnauthorized},
		{"right credentials", "alice", "s3cret", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL()+"/info/refs?service=git-upload-pack", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}

	// Push goes through the same auth with the server's credentials.
	repo.WriteFile("b.txt", "b\n")
	sha := repo.Commit("second")
	repo.Push()
	if got := gitIn(t, srv.BareDir(), "rev-parse", "refs/heads/main"); got != sha {
		t.Fatalf("bare main = %s, want %s", got, sha)
	}
}

func TestServeStopStart(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "one\n")
	repo.Commit("first")
	srv := gittest.Serve(t, repo)
	url := srv.URL()

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	out, err := cloneOK(t, url)
	if err == nil {
		t.Fatal("clone of a stopped server succeeded")
	}
	if !strings.Contains(strings.ToLower(out), "connect") {
		t.Fatalf("clone of a stopped server: %s", out)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if srv.URL() != url {
		t.Fatalf("URL after Start = %s, want %s", srv.URL(), url)
	}
	if out, err := cloneOK(t, url); err != nil {
		t.Fatalf("clone after Start: %v: %s", err, out)
	}
}
