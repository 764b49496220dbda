package git_test

import (
	"context"
	"errors"
	"testing"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
)

func TestFetchResolvesRef(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "1\n")
	c1 := repo.Commit("one")
	repo.Tag("v1.0.0")
	repo.Tag("release-candidate") // not a version: ignored by semver
	repo.WriteFile("a.txt", "2\n")
	c2 := repo.Commit("two")
	repo.AnnotatedTag("1.2.0", "release 1.2.0") // annotated, no v prefix
	repo.WriteFile("a.txt", "3\n")
	c3 := repo.Commit("three")
	repo.Tag("v1.10.0")
	repo.Tag("v1.11.0-rc.1") // pre-release: outside plain ranges
	repo.WriteFile("a.txt", "4\n")
	c4 := repo.Commit("four")
	repo.Tag("v2.0.0")
	repo.Checkout("stable")
	repo.Git("reset", "-q", "--hard", c2)
	repo.Checkout("main")
	srv := gittest.Serve(t, repo)

	tests := []struct {
		name string
		opt  func(*config.GitSource)
		want string
	}{
		{"default branch main", func(*config.GitSource) {}, c4},
		{"branch", branch("stable"), c2},
		{"lightweight tag", tag("v1.0.0"), c1},
		{"annotated tag", tag("1.2.0"), c2},
		{"semver picks highest in range", semver(">=1.0.0 <2.0.0"), c3},
		{"semver caret", semver("^1.2"), c3},
		{"semver tilde", semver("~1.2.0"), c2},
		{"semver any", semver("*"), c4},
		{"semver pre-release", semver(">=1.11.0-0 <2.0.0"), c3},
		{"pinned commit", commitAt(c2), c2},
		{"pinned short commit", commitAt(c1[:10]), c1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, srv.URL(), tt.opt)
			got := mustFetch(t, src)
			if got != tt.want {
				t.Fatalf("Fetch = %s, want %s", got, tt.want)
			}
			c, err := src.Resolve(context.Background())
			if err != nil || c.Revision != tt.want {
				t.Fatalf("Resolve = %s, %v; want %s", c.Revision, err, tt.want)
			}
		})
	}
}

func TestFetchRefNotFound(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("a.txt", "1\n")
	repo.Commit("one")
	repo.Tag("v1.0.0")
	srv := gittest.Serve(t, repo)
	tests := []struct {
		name string
		opt  func(*config.GitSource)
	}{
		{"tag", tag("v9")},
		{"semver", semver(">=2.0.0")},
		{"commit", commitAt("0123456789012345678901234567890123456789")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSource(t, srv.URL(), tt.opt).Fetch(context.Background())
			var rnf *git.RefNotFoundError
			if !errors.As(err, &rnf) {
				t.Fatalf("Fetch: %v, want *RefNotFoundError", err)
			}
			golden(t, "ref-not-found-"+tt.name, err)
		})
	}
}

func TestNewRejectsBadSpec(t *testing.T) {
	tests := []struct {
		name string
		spec config.GitSource
	}{
		{"no url", config.GitSource{}},
		{"two refs", config.GitSource{URL: "http://x", Branch: "main", Tag: "v1"}},
		{"bad semver", config.GitSource{URL: "http://x", Semver: ">>1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := git.New("site", tt.spec, t.TempDir()); err == nil {
				t.Fatal("New accepted a bad spec")
			}
		})
	}
}

func TestCommit(t *testing.T) {
	repo, srv := served(t)
	repo.WriteFile("b.txt", "b\n")
	sha := repo.Commit("add b\n\nwith a body")
	repo.Push()
	src := newSource(t, srv.URL())
	mustFetch(t, src)
	ctx := context.Background()

	for _, rev := range []string{sha, sha[:7], "main", "refs/heads/main"} {
		c, err := src.Commit(ctx, rev)
		if err != nil {
			t.Fatalf("Commit(%q): %v", rev, err)
		}
		if c.Revision != sha || c.Message != "add b\n\nwith a body" || c.Author != gittest.AuthorName {
			t.Fatalf("Commit(%q) = %+v", rev, c)
		}
	}
	for _, rev := range []string{"deadbeef", "nope", "--all", ""} {
		_, err := src.Commit(ctx, rev)
		var rnf *git.RevisionNotFoundError
		if !errors.As(err, &rnf) {
			t.Fatalf("Commit(%q): %v, want *RevisionNotFoundError", rev, err)
		}
	}
	_, err := src.Commit(ctx, "deadbeef")
	golden(t, "revision-not-found", err)
}

func TestFetchPinnedCommitOutsideBranches(t *testing.T) {
	repo, srv := served(t)
	repo.Checkout("pr")
	repo.WriteFile("pr.txt", "pr\n")
	sha := repo.Commit("pull request")
	repo.Checkout("main")
	repo.DeleteBranch("pr")
	repo.Git("push", "-q", "origin", sha+":refs/pull/1/head")

	src := newSource(t, srv.URL(), commitAt(sha))
	if got := mustFetch(t, src); got != sha {
		t.Fatalf("Fetch = %s, want %s", got, sha)
	}
	files, err := src.ReadTree(context.Background(), sha, "")
	if err != nil || len(files) != 4 {
		t.Fatalf("ReadTree at pinned commit = %d files, %v; want 4", len(files), err)
	}
}
