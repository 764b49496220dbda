package git_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// newSource returns a source for url mirrored into a fresh dir, with spec
// changed by opts.
func newSource(t testing.TB, url string, opts ...func(*config.GitSource)) *git.Repo {
	t.Helper()
	return newSourceIn(t, url, filepath.Join(t.TempDir(), "mirror"), opts...)
}

func newSourceIn(t testing.TB, url, dir string, opts ...func(*config.GitSource)) *git.Repo {
	t.Helper()
	spec := config.GitSource{URL: url}
	for _, o := range opts {
		o(&spec)
	}
	src, err := git.New("site", spec, dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

func branch(b string) func(*config.GitSource)   { return func(s *config.GitSource) { s.Branch = b } }
func tag(v string) func(*config.GitSource)      { return func(s *config.GitSource) { s.Tag = v } }
func semver(v string) func(*config.GitSource)   { return func(s *config.GitSource) { s.Semver = v } }
func commitAt(v string) func(*config.GitSource) { return func(s *config.GitSource) { s.Commit = v } }
func withAuth(a config.GitAuth) func(*config.GitSource) {
	return func(s *config.GitSource) { s.Auth = &a }
}

// served returns a work repo with one commit, served over HTTP.
func served(t testing.TB, opts ...gittest.Option) (*gittest.Repo, *gittest.Server) {
	t.Helper()
	repo := gittest.NewRepo(t)
	repo.WriteFile("apps/web/deploy.yaml", "kind: Deployment\n")
	repo.WriteFile("apps/db/db.yaml", "kind: StatefulSet\n")
	repo.WriteFile("README.md", "hello\n")
	repo.Commit("initial")
	return repo, gittest.Serve(t, repo, opts...)
}

func mustFetch(t testing.TB, src *git.Repo) string {
	t.Helper()
	c, err := src.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return c.Revision
}

// writeSecret writes content to a 0600 file and returns its path.
func writeSecret(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	portRE = regexp.MustCompile(`127\.0\.0\.1(\]?)(:| port )\d+`)
	tmpRE  = regexp.MustCompile(`/tmp/Test[^\s:]*/`)
	msRE   = regexp.MustCompile(`after \d+ ms`)
)

// golden compares an error message, with ports and timings normalized,
// against testdata/<name>.golden.
func golden(t *testing.T, name string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: want an error, got nil", name)
	}
	got := portRE.ReplaceAllString(err.Error(), "127.0.0.1${1}${2}PORT")
	got = msRE.ReplaceAllString(got, "after N ms")
	got = tmpRE.ReplaceAllString(got, "TMP/") + "\n"
	path := filepath.Join("testdata", strings.ReplaceAll(name, " ", "-")+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("%s error:\n got: %s\nwant: %s", name, got, want)
	}
}
