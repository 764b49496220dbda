package files_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target/files"
)

// render shows a plan's actions and their diffs, for golden files.
func render(p plumb.Plan) string {
	var b strings.Builder
	for _, a := range p.Actions {
		b.WriteString("== " + string(a.Type) + " " + a.Object + " (" + string(a.Reason) + ")")
		if a.Detail != "" {
			b.WriteString(": " + a.Detail)
		}
		b.WriteString("\n" + a.Diff)
	}
	return b.String()
}

func v1() plumb.Desired {
	return desired("r1",
		file("a.txt", "one\ntwo\nthree\n"),
		plumb.File{Path: "bin.dat", Mode: 0o644, Data: []byte{0, 1, 2, 3}},
		link("current", "a.txt"),
		file("x/y/z.txt", "deep\n"),
		plumb.File{Path: "secret.txt", Mode: 0o600, Data: []byte("hush\n")},
		plumb.File{Path: "run.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho hi\n")},
		plumb.File{Path: "shared.sock", Mode: 0o666, Data: []byte("wide")},
		plumb.File{Path: "nomode.txt", Data: []byte("default mode")},
	)
}

func TestPlanReasonsAndDiffs(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	p := mustPlan(t, d, "web", v1(), true)
	golden(t, "plan-create.txt", render(p))
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	checkModes(t, root, map[string]os.FileMode{
		"a.txt": 0o644, "bin.dat": 0o644, "x/y/z.txt": 0o644, "secret.txt": 0o600,
		"run.sh": 0o755, "shared.sock": 0o666, "nomode.txt": 0o644,
	})
	if to, err := os.Readlink(filepath.Join(root, "current")); err != nil || to != "a.txt" {
		t.Errorf("current -> %q, %v; want a.txt", to, err)
	}

	// Out-of-band changes of every kind.
	must(t, os.WriteFile(filepath.Join(root, "a.txt"), []byte("one\nTWO\nthree\n"), 0o644))
	must(t, os.Chmod(filepath.Join(root, "secret.txt"), 0o644))
	must(t, os.Remove(filepath.Join(root, "x/y/z.txt")))
	must(t, os.WriteFile(filepath.Join(root, "bin.dat"), []byte{9, 0, 9}, 0o644))
	must(t, os.Remove(filepath.Join(root, "current")))
	must(t, os.Symlink("x", filepath.Join(root, "current")))
	must(t, os.Remove(filepath.Join(root, "run.sh")))
	must(t, os.Symlink("a.txt", filepath.Join(root, "run.sh")))
	p = mustPlan(t, d, "web", v1(), true)
	golden(t, "plan-drift.txt", render(p))
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if p := mustPlan(t, d, "web", v1(), true); p.HasChanges() {
		t.Fatalf("after healing drift:\n%s", actionsOf(p))
	}

	// Changes in Git, without prune first.
	v2 := desired("r2",
		file("a.txt", "one\ntwo\nthree\nfour"),
		link("current", "x/y/z.txt"),
		file("x/y/z.txt", "deep\n"),
		plumb.File{Path: "secret.txt", Mode: 0o640, Data: []byte("hush\n")},
		plumb.File{Path: "run.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho hi\n")},
		file("new.txt", "fresh\n"),
	)
	p = mustPlan(t, d, "web", v2, false)
	golden(t, "plan-upgrade-noprune.txt", render(p))
	p = mustPlan(t, d, "web", v2, true)
	golden(t, "plan-upgrade.txt", render(p))
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	checkModes(t, root, map[string]os.FileMode{"secret.txt": 0o640})
	if got, want := tree(t, root), []string{".plumb/", ".plumb/web.json", "a.txt", "current -> x/y/z.txt", "new.txt", "run.sh", "secret.txt", "x/", "x/y/", "x/y/z.txt"}; !slices.Equal(got, want) {
		t.Errorf("root = %v\nwant %v", got, want)
	}
}

func TestPlanIsSortedAndDeterministic(t *testing.T) {
	d := newDriver(t, &config.FilesTarget{Root: t.TempDir()})
	want := desired("r", file("b", "b"), file("a/z", "z"), file("a/b", "b"), file("c", "c"))
	p1 := mustPlan(t, d, "web", want, true)
	slices.Reverse(want.Files)
	p2 := mustPlan(t, d, "web", want, true)
	var names []string
	for _, a := range p1.Actions {
		names = append(names, a.Object)
	}
	if !slices.Equal(names, []string{"a/b", "a/z", "b", "c"}) {
		t.Errorf("actions in order %v, want sorted", names)
	}
	if actionsOf(p1) != actionsOf(p2) {
		t.Errorf("plans differ with the input order:\n%s\n%s", actionsOf(p1), actionsOf(p2))
	}
}

func TestAdoptsUnownedFile(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "app.conf"), []byte("hand made\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "same.conf"), []byte("same\n"), 0o644))
	d := newDriver(t, &config.FilesTarget{Root: root})
	p := mustPlan(t, d, "web", desired("r", file("app.conf", "from git\n"), file("same.conf", "same\n")), true)
	golden(t, "plan-adopt.txt", render(p))
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(root, "app.conf")); got != "from git\n" {
		t.Errorf("app.conf = %q", got)
	}
}

func TestDiffLimits(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	var many strings.Builder
	for i := range 5000 {
		many.WriteString(strings.Repeat("x", i%50) + "\n")
	}
	huge := strings.Repeat("y", files.MaxDiffInput+1)
	p := mustPlan(t, d, "web", desired("r", file("many.txt", many.String()), file("huge.txt", huge), file("latin1.txt", "caf\xe9\n")), true)
	for _, a := range p.Actions {
		if len(a.Diff) > files.MaxDiff+100 {
			t.Errorf("%s: diff of %d bytes, want at most about %d", a.Object, len(a.Diff), files.MaxDiff)
		}
	}
	golden(t, "plan-limits.txt", summarizeDiffs(p))
}

// summarizeDiffs keeps the first and last line of each diff.
func summarizeDiffs(p plumb.Plan) string {
	var b strings.Builder
	for _, a := range p.Actions {
		lines := strings.Split(strings.TrimSuffix(a.Diff, "\n"), "\n")
		b.WriteString("== " + a.Object + "\n" + lines[0] + "\n...\n" + lines[len(lines)-1] + "\n")
	}
	return b.String()
}

func TestConflictBetweenApps(t *testing.T) {
	root := t.TempDir()
	web := newDriver(t, &config.FilesTarget{Root: root})
	api := newDriver(t, &config.FilesTarget{Root: root}) // a second driver on the same root
	sync(t, web, "web", desired("r1", file("shared.conf", "web\n"), file("dir/owned", "web\n")))
	for _, f := range []plumb.File{file("shared.conf", "api\n"), file("dir/owned/below", "api\n"), file("dir", "api\n")} {
		_, err := api.Plan(t.Context(), plumb.AppRef{Name: "api"}, desired("r1", file("api.conf", "api\n"), f), true)
		var ce *files.ConflictError
		if !errors.As(err, &ce) || ce.App != "api" || ce.Owner != "web" {
			t.Fatalf("Plan of %s: error %v, want a conflict between api and web", f.Path, err)
		}
		if !strings.Contains(err.Error(), `"web"`) || !strings.Contains(err.Error(), `"api"`) {
			t.Errorf("conflict error does not name both apps: %v", err)
		}
	}

	// Both plan a new path before either applies: the second Apply is refused.
	both := desired("r2", file("race.conf", "x\n"))
	pw := mustPlan(t, web, "web", desired("r2", file("shared.conf", "web\n"), file("dir/owned", "web\n"), file("race.conf", "x\n")), true)
	pa := mustPlan(t, api, "api", both, true)
	if _, err := web.Apply(t.Context(), pw); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Apply(t.Context(), pa); !errors.Is(err, files.ErrConflict) {
		t.Fatalf("second Apply: %v, want a conflict", err)
	}
	if _, err := os.Stat(filepath.Join(root, ".plumb", "api.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused app got an inventory: %v", err)
	}
}

func TestPruneRemovesOnlyCreatedEmptyDirs(t *testing.T) {
	root := t.TempDir()
	must(t, os.Mkdir(filepath.Join(root, "etc"), 0o755))
	d := newDriver(t, &config.FilesTarget{Root: root})
	sync(t, d, "web", desired("r1", file("etc/app/x.conf", "x"), file("new/deep/y.txt", "y"), file("top.txt", "t")))
	must(t, os.WriteFile(filepath.Join(root, "new", "user.txt"), []byte("not plumb's"), 0o644))
	sync(t, d, "web", desired("r2", file("top.txt", "t2")))
	want := []string{".plumb/", ".plumb/web.json", "etc/", "new/", "new/user.txt", "top.txt"}
	if got := tree(t, root); !slices.Equal(got, want) {
		t.Errorf("after prune: %v\nwant %v", got, want)
	}
	must(t, os.Remove(filepath.Join(root, "new", "user.txt")))
	if _, err := d.Delete(t.Context(), plumb.AppRef{Name: "web"}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); !slices.Equal(got, []string{"etc/"}) {
		t.Errorf("after Delete: %v, want only the pre-existing etc/", got)
	}
	if _, err := os.Stat(root); err != nil {
		t.Errorf("root removed: %v", err)
	}
}

func TestMissingRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	d := newDriver(t, &config.FilesTarget{Root: root})
	p := mustPlan(t, d, "web", desired("r", file("a", "a")), true)
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Plan created the root: %v", err)
	}
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(root, "a")); got != "a" {
		t.Errorf("a = %q", got)
	}

	deep := newDriver(t, &config.FilesTarget{Root: filepath.Join(base, "no", "such", "root")})
	if _, err := deep.Plan(t.Context(), plumb.AppRef{Name: "web"}, desired("r", file("a", "a")), true); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Plan with a missing parent: %v", err)
	}
	if _, err := deep.Apply(t.Context(), p); err == nil {
		t.Error("Apply with a missing parent: no error")
	}
	if _, err := os.Stat(filepath.Join(base, "no")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Apply created directories above the root: %v", err)
	}
}

func TestSymlinksInsideRootAllowed(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "real", "conf"), 0o755))
	must(t, os.Symlink("real/conf", filepath.Join(root, "conf")))
	d := newDriver(t, &config.FilesTarget{Root: root})
	sync(t, d, "web", desired("r", file("conf/site", "s"), link("a/up", "../real"), link("self", ".")))
	if got := readString(t, filepath.Join(root, "real", "conf", "site")); got != "s" {
		t.Errorf("file through an inner symlink = %q", got)
	}
	if p := mustPlan(t, d, "web", desired("r", file("conf/site", "s"), link("a/up", "../real"), link("self", ".")), true); p.HasChanges() {
		t.Errorf("replan:\n%s", actionsOf(p))
	}
}

func checkModes(t *testing.T, root string, want map[string]os.FileMode) {
	t.Helper()
	for p, m := range want {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Error(err)
			continue
		}
		if fi.Mode().Perm() != m {
			t.Errorf("%s has mode %04o, want %04o", p, fi.Mode().Perm(), m)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
