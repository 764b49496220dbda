package git_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
)

func TestTreeHashChangesOnlyWithPath(t *testing.T) {
	repo, srv := served(t)
	src := newSource(t, srv.URL())
	ctx := context.Background()
	c1 := mustFetch(t, src)

	repo.WriteFile("apps/db/db.yaml", "kind: StatefulSet\nreplicas: 3\n")
	c2 := repo.Commit("touch db only")
	repo.Push()
	mustFetch(t, src)

	hash := func(rev, p string) string {
		t.Helper()
		h, err := src.TreeHash(ctx, rev, p)
		if err != nil {
			t.Fatalf("TreeHash(%s, %q): %v", plumb.Short(rev), p, err)
		}
		return h
	}
	tests := []struct {
		path    string
		changed bool
	}{
		{"apps/web", false},
		{"apps/web/deploy.yaml", false},
		{"README.md", false},
		{"apps/db", true},
		{"apps", true},
		{"", true},
	}
	for _, tt := range tests {
		if changed := hash(c1, tt.path) != hash(c2, tt.path); changed != tt.changed {
			t.Errorf("path %q: hash changed = %v, want %v", tt.path, changed, tt.changed)
		}
	}
	// Equivalent spellings of a path give the same hash.
	for _, p := range []string{"apps/web/", "/apps/web", "./apps/web", "apps//web"} {
		if hash(c2, p) != hash(c2, "apps/web") {
			t.Errorf("TreeHash(%q) differs from TreeHash(\"apps/web\")", p)
		}
	}
	if hash(c2, "") != repo.Git("rev-parse", c2+"^{tree}") {
		t.Error(`TreeHash("") is not the commit's root tree`)
	}
}

func TestTreeHashErrors(t *testing.T) {
	_, srv := served(t)
	src := newSource(t, srv.URL())
	head := mustFetch(t, src)
	ctx := context.Background()

	_, err := src.TreeHash(ctx, head, "apps/nope")
	var pnf *git.PathNotFoundError
	if !errors.As(err, &pnf) || pnf.Path != "apps/nope" || pnf.Rev != head {
		t.Fatalf("TreeHash of missing path: %#v, want *PathNotFoundError for apps/nope", err)
	}
	golden(t, "path-not-found", replaceRev(err, head))

	var rnf *git.RevisionNotFoundError
	if _, err := src.TreeHash(ctx, "0000000", "apps"); !errors.As(err, &rnf) {
		t.Fatalf("TreeHash of unknown rev: %v, want *RevisionNotFoundError", err)
	}
	if _, err := src.TreeHash(ctx, head, "../etc"); err == nil {
		t.Fatal("TreeHash accepted a path leaving the repository")
	}
}

func TestReadTree(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("apps/web/deploy.yaml", "kind: Deployment\n")
	repo.WriteFileMode("apps/web/hooks/reload.sh", "#!/bin/sh\necho hi\n", 0o755)
	repo.WriteFile("apps/web/empty.txt", "")
	repo.Symlink("deploy.yaml", "apps/web/current.yaml")
	repo.WriteFile("apps/webby/other.yaml", "not web\n")
	repo.WriteFile("top.txt", "top\n")
	repo.Commit("tree")
	head := addSubmodule(t, repo, "apps/web/vendor")
	srv := gittest.Serve(t, repo)
	src := newSource(t, srv.URL())
	mustFetch(t, src)

	tests := []struct {
		path string
		want []plumb.File
	}{
		{"apps/web", []plumb.File{
			{Path: "current.yaml", Mode: fs.ModeSymlink | 0o777, Data: []byte("deploy.yaml")},
			{Path: "deploy.yaml", Mode: 0o644, Data: []byte("kind: Deployment\n")},
			{Path: "empty.txt", Mode: 0o644, Data: []byte{}},
			{Path: "hooks/reload.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho hi\n")},
		}},
		{"apps/web/hooks/reload.sh", []plumb.File{
			{Path: "reload.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho hi\n")},
		}},
		{"apps/webby", []plumb.File{{Path: "other.yaml", Mode: 0o644, Data: []byte("not web\n")}}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := src.ReadTree(context.Background(), head, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			assertFiles(t, got, tt.want)
		})
	}
	all, err := src.ReadTree(context.Background(), "main", "")
	if err != nil || len(all) != 6 {
		t.Fatalf("ReadTree of root = %d files, %v; want 6 (submodule skipped)", len(all), err)
	}
	var pnf *git.PathNotFoundError
	if _, err := src.ReadTree(context.Background(), head, "apps/we"); !errors.As(err, &pnf) {
		t.Fatalf("ReadTree of a path prefix that is no directory: %v, want *PathNotFoundError", err)
	}
}

func TestExport(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.WriteFile("base/kustomization.yaml", "resources: [cm.yaml]\n")
	repo.WriteFile("base/cm.yaml", "kind: ConfigMap\n")
	repo.WriteFileMode("bin/run.sh", "#!/bin/sh\n", 0o755)
	repo.Symlink("../base", "overlay/base")
	first := repo.Commit("first")
	repo.Remove("bin")
	second := repo.Commit("remove bin")
	srv := gittest.Serve(t, repo)
	src := newSource(t, srv.URL())
	mustFetch(t, src)
	out := filepath.Join(t.TempDir(), "export")
	ctx := context.Background()

	if err := src.Export(ctx, first, out); err != nil {
		t.Fatal(err)
	}
	assertFile(t, filepath.Join(out, "base/cm.yaml"), "kind: ConfigMap\n", 0o644)
	assertFile(t, filepath.Join(out, "bin/run.sh"), "#!/bin/sh\n", 0o755)
	if target, err := os.Readlink(filepath.Join(out, "overlay/base")); err != nil || target != "../base" {
		t.Fatalf("overlay/base link = %q, %v; want ../base", target, err)
	}

	if err := src.Export(ctx, second, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("bin after export of %s: %v, want it gone", plumb.Short(second), err)
	}
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil || len(entries) != 1 {
		t.Fatalf("export left %d entries beside it, %v; want only the export", len(entries), err)
	}
	if err := src.Export(ctx, "nope", out); err == nil {
		t.Fatal("Export of an unknown revision succeeded")
	}
	assertFile(t, filepath.Join(out, "base/cm.yaml"), "kind: ConfigMap\n", 0o644)
}

// addSubmodule commits a gitlink at p without cloning anything.
func addSubmodule(t *testing.T, repo *gittest.Repo, p string) string {
	t.Helper()
	repo.Git("update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,"+p)
	repo.Git("commit", "-q", "-m", "add submodule")
	return repo.Head()
}

func assertFiles(t *testing.T, got, want []plumb.File) {
	t.Helper()
	sort.Slice(got, func(i, j int) bool { return got[i].Path < got[j].Path })
	if len(got) != len(want) {
		t.Fatalf("got %d files %v, want %d", len(got), paths(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Path != w.Path || g.Mode != w.Mode || string(g.Data) != string(w.Data) {
			t.Errorf("file %d = {%s %v %q}, want {%s %v %q}", i, g.Path, g.Mode, g.Data, w.Path, w.Mode, w.Data)
		}
	}
}

func paths(files []plumb.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func assertFile(t *testing.T, p, content string, mode fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil || string(b) != content {
		t.Fatalf("%s = %q, %v; want %q", p, b, err, content)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != mode {
		t.Fatalf("%s mode = %v, %v; want %v", p, st.Mode().Perm(), err, mode)
	}
}

// replaceRev hides a commit ID that changes between runs.
func replaceRev(err error, rev string) error {
	return errors.New(strings.ReplaceAll(err.Error(), plumb.Short(rev), "REV"))
}
