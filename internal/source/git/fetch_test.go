package git_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
)

func TestFetchCloneThenIncremental(t *testing.T) {
	repo, srv := served(t)
	src := newSource(t, srv.URL())
	first := repo.Head()
	if got := mustFetch(t, src); got != first {
		t.Fatalf("first Fetch = %s, want %s", got, first)
	}

	repo.WriteFile("apps/web/deploy.yaml", "kind: Deployment\nreplicas: 2\n")
	second := repo.Commit("scale web")
	repo.Push()
	c, err := src.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Revision != second || c.Message != "scale web" {
		t.Fatalf("second Fetch = %+v, want %s \"scale web\"", c, second)
	}
	if c.Author != gittest.AuthorName || c.Email != gittest.AuthorEmail {
		t.Fatalf("author = %q <%s>, want %q <%s>", c.Author, c.Email, gittest.AuthorName, gittest.AuthorEmail)
	}
	if want := gittest.BaseTime.Add(1e9); !c.Time.Equal(want) {
		t.Fatalf("time = %v, want %v", c.Time, want)
	}
}

func TestFetchPrunesDeletedRefs(t *testing.T) {
	repo, srv := served(t)
	repo.Branch("feature")
	repo.Tag("v1.0.0")
	repo.Push()
	sources := map[string]*git.Repo{
		"branch": newSource(t, srv.URL(), branch("feature")),
		"tag":    newSource(t, srv.URL(), tag("v1.0.0")),
	}
	for _, src := range sources {
		mustFetch(t, src)
	}
	repo.DeleteBranch("feature")
	repo.DeleteTag("v1.0.0")
	repo.Push()
	for name, src := range sources {
		var rnf *git.RefNotFoundError
		if _, err := src.Fetch(context.Background()); !errors.As(err, &rnf) {
			t.Errorf("%s: Fetch after delete: %v, want *RefNotFoundError", name, err)
		}
	}
}

func TestFetchReusesMirror(t *testing.T) {
	repo, srv := served(t)
	// A megabyte of noise makes a clone easy to tell from an incremental fetch.
	noise := make([]byte, 512<<10)
	_, _ = rand.Read(noise)
	repo.WriteFile("blob.bin", hex.EncodeToString(noise))
	repo.Commit("big")
	repo.Push()

	dir := filepath.Join(t.TempDir(), "mirror")
	mustFetch(t, newSourceIn(t, srv.URL(), dir))
	clone := srv.BytesServed()
	if clone < 512<<10 {
		t.Fatalf("clone served %d bytes, want at least the 512 KiB blob", clone)
	}

	repo.WriteFile("small.txt", "small\n")
	want := repo.Commit("small")
	repo.Push()
	again := newSourceIn(t, srv.URL(), dir) // as after a restart
	if got := mustFetch(t, again); got != want {
		t.Fatalf("Fetch after restart = %s, want %s", got, want)
	}
	if delta := srv.BytesServed() - clone; delta > 64<<10 {
		t.Fatalf("fetch after restart served %d bytes: the mirror was cloned again", delta)
	}
}

func TestFetchUnreachableThenResolveFromMirror(t *testing.T) {
	repo, srv := served(t)
	src := newSource(t, srv.URL())
	want := mustFetch(t, src)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	_, err := src.Fetch(context.Background())
	if !errors.Is(err, git.ErrUnreachable) {
		t.Fatalf("Fetch of stopped server: %v, want ErrUnreachable", err)
	}
	golden(t, "unreachable", err)

	restarted := newSourceIn(t, srv.URL(), src.Dir())
	c, err := restarted.Resolve(context.Background())
	if err != nil || c.Revision != want {
		t.Fatalf("Resolve from mirror = %v, %v; want %s", c.Revision, err, want)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	repo.WriteFile("README.md", "back\n")
	next := repo.Commit("back")
	repo.Push()
	if got := mustFetch(t, restarted); got != next {
		t.Fatalf("Fetch after Start = %s, want %s", got, next)
	}
}

func TestFetchErrors(t *testing.T) {
	_, srv := served(t)
	tests := []struct {
		name string
		src  *git.Repo
		kind error
	}{
		{"repository not found", newSource(t, srv.RepoURL("missing.git")), git.ErrNotFound},
		{"branch not found", newSource(t, srv.URL(), branch("nope")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.src.Fetch(context.Background())
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Fatalf("Fetch: %v, want %v", err, tt.kind)
			}
			var rnf *git.RefNotFoundError
			if tt.kind == nil && !errors.As(err, &rnf) {
				t.Fatalf("Fetch: %v, want *RefNotFoundError", err)
			}
			golden(t, "fetch-"+tt.name, err)
		})
	}
}

func TestResolveWithoutMirror(t *testing.T) {
	_, srv := served(t)
	src := newSource(t, srv.URL())
	if _, err := src.Resolve(context.Background()); !errors.Is(err, git.ErrNoMirror) {
		t.Fatalf("Resolve before Fetch: %v, want ErrNoMirror", err)
	}
}

func TestFetchRefusesForeignDir(t *testing.T) {
	_, srv := served(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := newSourceIn(t, srv.URL(), dir).Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Fetch into a foreign directory: %v, want a 'not empty' error", err)
	}
}

func TestFetchCanceled(t *testing.T) {
	_, srv := served(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newSource(t, srv.URL()).Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with a canceled context: %v, want context.Canceled", err)
	}
}
