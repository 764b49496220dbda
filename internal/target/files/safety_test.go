package files_test

import (
	"encoding/json"
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

// escapeSetup is a root next to an "outside" directory holding a victim
// file; setup may add symlinks or files in the root.
type escapeSetup struct {
	root, outside string
}

func newEscape(t *testing.T) escapeSetup {
	t.Helper()
	base := t.TempDir()
	s := escapeSetup{root: filepath.Join(base, "root"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{s.root, s.outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.outside, "victim"), []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s escapeSetup) symlink(t *testing.T, to, name string) {
	t.Helper()
	if err := os.Symlink(to, filepath.Join(s.root, name)); err != nil {
		t.Fatal(err)
	}
}

// untouched checks the outside directory still holds only the victim,
// unchanged.
func (s escapeSetup) untouched(t *testing.T) {
	t.Helper()
	if got := tree(t, s.outside); !slices.Equal(got, []string{"victim"}) {
		t.Errorf("outside the root: %v, want only the victim", got)
	}
	if got := readString(t, filepath.Join(s.outside, "victim")); got != "precious\n" {
		t.Errorf("victim changed: %q", got)
	}
}

func TestEscapesRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s escapeSetup)
		file  plumb.File
		is    error
	}{
		{name: "absolute", file: file("/etc/passwd", "x"), is: files.ErrUnsafePath},
		{name: "dotdot", file: file("../outside/victim", "x"), is: files.ErrUnsafePath},
		{name: "inner-dotdot", file: file("a/../../outside/victim", "x"), is: files.ErrUnsafePath},
		{name: "unclean", file: file("a//b", "x"), is: files.ErrUnsafePath},
		{name: "dot", file: file(".", "x"), is: files.ErrUnsafePath},
		{name: "empty", file: file("", "x"), is: files.ErrUnsafePath},
		{name: "nul", file: file("a\x00b", "x"), is: files.ErrUnsafePath},
		{name: "reserved", file: file(".plumb/other.json", "{}"), is: files.ErrReserved},
		{name: "reserved-dir", file: file(".plumb", "x"), is: files.ErrReserved},
		{
			name:  "parent-symlink-absolute-outside",
			setup: func(t *testing.T, s escapeSetup) { s.symlink(t, s.outside, "conf") },
			file:  file("conf/victim", "x"), is: files.ErrUnsafePath,
		},
		{
			name:  "parent-symlink-relative-outside",
			setup: func(t *testing.T, s escapeSetup) { s.symlink(t, "../outside", "conf") },
			file:  file("conf/victim", "x"), is: files.ErrUnsafePath,
		},
		{
			name: "deep-parent-symlink-outside",
			setup: func(t *testing.T, s escapeSetup) {
				if err := os.MkdirAll(filepath.Join(s.root, "a/b"), 0o755); err != nil {
					t.Fatal(err)
				}
				s.symlink(t, "../../../outside", "a/b/c")
			},
			file: file("a/b/c/victim", "x"), is: files.ErrUnsafePath,
		},
		{
			name: "parent-symlink-chain-outside",
			setup: func(t *testing.T, s escapeSetup) {
				s.symlink(t, "../outside", "out")
				s.symlink(t, "out", "conf")
			},
			file: file("conf/victim", "x"), is: files.ErrUnsafePath,
		},
		{
			name:  "parent-dangling-symlink",
			setup: func(t *testing.T, s escapeSetup) { s.symlink(t, "nowhere", "conf") },
			file:  file("conf/x", "x"), is: files.ErrUnsafePath,
		},
		{
			name: "parent-is-file",
			setup: func(t *testing.T, s escapeSetup) {
				if err := os.WriteFile(filepath.Join(s.root, "conf"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			file: file("conf/x", "x"), is: files.ErrNotFile,
		},
		{
			name: "target-is-directory",
			setup: func(t *testing.T, s escapeSetup) {
				if err := os.Mkdir(filepath.Join(s.root, "conf"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			file: file("conf", "x"), is: files.ErrNotFile,
		},
		{name: "symlink-dotdot", file: link("l", "../outside/victim"), is: files.ErrUnsafePath},
		{name: "symlink-deep-dotdot", file: link("a/l", "../../outside/victim"), is: files.ErrUnsafePath},
		{name: "symlink-absolute", file: link("l", "/etc/passwd"), is: files.ErrUnsafePath},
		{name: "symlink-empty", file: link("l", ""), is: files.ErrUnsafePath},
		{name: "symlink-into-reserved", file: link("l", ".plumb/web.json"), is: files.ErrReserved},
		{
			name:  "symlink-through-escaping-link",
			setup: func(t *testing.T, s escapeSetup) { s.symlink(t, "../outside", "out") },
			file:  link("l", "out/victim"), is: files.ErrUnsafePath,
		},
		{name: "directory-mode", file: plumb.File{Path: "d", Mode: os.ModeDir | 0o755}, is: files.ErrNotFile},
	}
	var messages strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEscape(t)
			if tt.setup != nil {
				tt.setup(t, s)
			}
			before := tree(t, s.root)
			d := newDriver(t, &config.FilesTarget{Root: s.root})
			want := desired("r1", file("good.txt", "fine\n"), tt.file)
			_, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, want, true)
			if !errors.Is(err, tt.is) {
				t.Fatalf("Plan error = %v, want %v", err, tt.is)
			}
			messages.WriteString(tt.name + ": " + strings.ReplaceAll(strings.ReplaceAll(err.Error(), s.outside, "$OUTSIDE"), s.root, "$ROOT") + "\n")
			// A hand-made plan with the bad file is refused whole by Apply.
			plan := plumb.Plan{App: plumb.AppRef{Name: "web"}, Desired: want, Prune: true, Actions: []plumb.Action{
				{Type: plumb.ActionCreate, Object: "good.txt", Reason: plumb.ReasonAddedInGit},
				{Type: plumb.ActionCreate, Object: tt.file.Path, Reason: plumb.ReasonAddedInGit},
			}}
			if _, err := d.Apply(t.Context(), plan); !errors.Is(err, tt.is) {
				t.Errorf("Apply error = %v, want %v", err, tt.is)
			}
			if got := tree(t, s.root); !slices.Equal(got, before) {
				t.Errorf("root changed by a refused plan: %v, want %v", got, before)
			}
			s.untouched(t)
		})
	}
	if !t.Failed() {
		golden(t, "escape-errors.txt", messages.String())
	}
}

// TestTamperedInventory writes inventories that name paths outside the
// root; neither a pruning Plan, a hand-made delete plan, Delete, Health nor
// Watch may touch (or read) anything outside.
func TestTamperedInventory(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s escapeSetup)
		path  string
		is    error
	}{
		{name: "dotdot", path: "../outside/victim", is: files.ErrUnsafePath},
		{name: "absolute", path: "ABS/victim", is: files.ErrUnsafePath},
		{name: "reserved", path: ".plumb/other.json", is: files.ErrReserved},
		{
			name:  "parent-replaced-by-symlink",
			setup: func(t *testing.T, s escapeSetup) { s.symlink(t, s.outside, "conf") },
			path:  "conf/victim", is: files.ErrUnsafePath,
		},
	}
	var messages strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEscape(t)
			d := newDriver(t, &config.FilesTarget{Root: s.root})
			sync(t, d, "web", desired("r1", file("keep.txt", "keep\n")))
			if tt.setup != nil {
				tt.setup(t, s)
			}
			bad := strings.ReplaceAll(tt.path, "ABS", s.outside)
			tamper(t, s.root, "web", bad)
			app := plumb.AppRef{Name: "web"}

			_, err := d.Plan(t.Context(), app, desired("r2"), true)
			if !errors.Is(err, tt.is) {
				t.Fatalf("Plan error = %v, want %v", err, tt.is)
			}
			messages.WriteString(tt.name + ": " + strings.ReplaceAll(strings.ReplaceAll(err.Error(), s.outside, "$OUTSIDE"), s.root, "$ROOT") + "\n")
			plan := plumb.Plan{App: app, Prune: true, Actions: []plumb.Action{{Type: plumb.ActionDelete, Object: bad, Reason: plumb.ReasonRemovedInGit}}}
			if _, err := d.Apply(t.Context(), plan); !errors.Is(err, tt.is) {
				t.Errorf("Apply error = %v, want %v", err, tt.is)
			}
			if _, err := d.Delete(t.Context(), app); !errors.Is(err, tt.is) {
				t.Errorf("Delete error = %v, want %v", err, tt.is)
			}
			if _, err := d.Health(t.Context(), app); !errors.Is(err, tt.is) {
				t.Errorf("Health error = %v, want %v", err, tt.is)
			}
			if got := readString(t, filepath.Join(s.root, "keep.txt")); got != "keep\n" {
				t.Errorf("keep.txt = %q: a refused Delete removed it", got)
			}
			s.untouched(t)
		})
	}
	if !t.Failed() {
		golden(t, "tampered-errors.txt", messages.String())
	}
}

// tamper adds path to the app's inventory, as if someone edited it.
func tamper(t *testing.T, root, app, path string) {
	t.Helper()
	p := filepath.Join(root, ".plumb", app+".json")
	var inv map[string]any
	if err := json.Unmarshal([]byte(readString(t, p)), &inv); err != nil {
		t.Fatal(err)
	}
	inv["files"] = append(inv["files"].([]any), map[string]any{"path": path, "sha256": strings.Repeat("0", 64), "mode": "0644"})
	b, _ := json.Marshal(inv)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteOnlyOwned refuses a plan that deletes a file the inventory
// does not list, or deletes without prune.
func TestDeleteOnlyOwned(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	app := plumb.AppRef{Name: "web"}
	sync(t, d, "web", desired("r1", file("mine.txt", "x")))
	if err := os.WriteFile(filepath.Join(root, "theirs.txt"), []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []plumb.Plan{
		{App: app, Prune: true, Actions: []plumb.Action{{Type: plumb.ActionDelete, Object: "theirs.txt"}}},
		{App: app, Prune: false, Actions: []plumb.Action{{Type: plumb.ActionDelete, Object: "mine.txt"}}},
		{App: app, Prune: true, Actions: []plumb.Action{{Type: "explode", Object: "mine.txt"}}},
		{App: app, Prune: true, Actions: []plumb.Action{{Type: plumb.ActionUpdate, Object: "not-desired.txt"}}},
	} {
		if _, err := d.Apply(t.Context(), p); err == nil {
			t.Errorf("Apply(%+v): no error", p.Actions)
		}
	}
	if got := tree(t, root); !slices.Equal(got, []string{".plumb/", ".plumb/web.json", "mine.txt", "theirs.txt"}) {
		t.Errorf("root = %v", got)
	}
}

func TestBadAppName(t *testing.T) {
	d := newDriver(t, &config.FilesTarget{Root: t.TempDir()})
	for _, name := range []string{"", "../x", "a/b", ".hidden", strings.Repeat("a", 300)} {
		if _, err := d.Plan(t.Context(), plumb.AppRef{Name: name}, desired("r"), true); err == nil {
			t.Errorf("Plan for app %q: no error", name)
		}
	}
}

// TestInventoryDirLeavingRoot: a .plumb that is a symlink out of the root
// is neither read nor written through.
func TestInventoryDirLeavingRoot(t *testing.T) {
	s := newEscape(t)
	s.symlink(t, s.outside, ".plumb")
	must(t, os.WriteFile(filepath.Join(s.outside, "web.json"), []byte(`{"version":1,"app":"web","files":[{"path":"x","sha256":"00","mode":"0644"}]}`), 0o600))
	d := newDriver(t, &config.FilesTarget{Root: s.root})
	app := plumb.AppRef{Name: "web"}
	if _, err := d.Plan(t.Context(), app, desired("r", file("a", "a")), true); err == nil {
		t.Error("Plan read an inventory outside the root")
	}
	p := plumb.Plan{App: app, Desired: desired("r", file("a", "a")), Actions: []plumb.Action{{Type: plumb.ActionCreate, Object: "a"}}}
	if _, err := d.Apply(t.Context(), p); err == nil {
		t.Error("Apply wrote an inventory outside the root")
	}
	if _, err := d.Delete(t.Context(), app); err == nil {
		t.Error("Delete used an inventory outside the root")
	}
	if got := tree(t, s.outside); !slices.Equal(got, []string{"victim", "web.json"}) {
		t.Errorf("outside = %v", got)
	}
}
