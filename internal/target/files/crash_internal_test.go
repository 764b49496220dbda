package files

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

// Environment of a child process that applies crashV2 and dies at a step.
const (
	envCrashRoot = "PLUMB_FILES_TEST_CRASH_ROOT"
	envCrashStep = "PLUMB_FILES_TEST_CRASH_STEP"
	envCrashName = "PLUMB_FILES_TEST_CRASH_NAME"
	crashExit    = 9
)

func TestMain(m *testing.M) {
	if root := os.Getenv(envCrashRoot); root != "" {
		crashChild(root, os.Getenv(envCrashStep), os.Getenv(envCrashName))
		os.Exit(0) // not reached when the crash step happens
	}
	os.Exit(m.Run())
}

// crashChild applies crashV2 and exits abruptly, as kill -9 would, at step.
func crashChild(root, step, name string) {
	testHook = func(s, n string) {
		if s == step && n == name {
			os.Exit(crashExit)
		}
	}
	d := mustDriver(root)
	p, err := d.Plan(context.Background(), plumb.AppRef{Name: "web"}, crashV2(), true)
	if err != nil {
		os.Exit(2)
	}
	if _, err := d.Apply(context.Background(), p); err != nil {
		os.Exit(3)
	}
}

func crashV1() plumb.Desired {
	return plumb.Desired{Revision: "r1", Files: []plumb.File{
		{Path: "a.txt", Mode: 0o644, Data: []byte("old a\n")},
		{Path: "b.txt", Mode: 0o644, Data: []byte("old b\n")},
		{Path: "c.txt", Mode: 0o644, Data: []byte("same c\n")},
	}}
}

func crashV2() plumb.Desired {
	return plumb.Desired{Revision: "r2", Files: []plumb.File{
		{Path: "a.txt", Mode: 0o600, Data: []byte("new a\n")},
		{Path: "c.txt", Mode: 0o644, Data: []byte("same c\n")},
		{Path: "d/new.txt", Mode: 0o644, Data: []byte("new\n")},
		{Path: "e.txt", Mode: 0o644, Data: []byte("new e\n")},
	}}
}

func TestCrashRecovery(t *testing.T) {
	tests := []struct {
		step, name string
		// after is what the next plan says about each path.
		after map[string]plumb.Reason
	}{
		{step: "claimed", name: ".plumb/web.json", after: map[string]plumb.Reason{
			"a.txt": plumb.ReasonChangedInGit, "b.txt": plumb.ReasonRemovedInGit, "c.txt": plumb.ReasonUpToDate,
			"d/new.txt": plumb.ReasonAddedInGit, "e.txt": plumb.ReasonAddedInGit,
		}},
		{step: "renamed", name: "a.txt", after: map[string]plumb.Reason{
			"a.txt": plumb.ReasonUpToDate, "b.txt": plumb.ReasonRemovedInGit, "c.txt": plumb.ReasonUpToDate,
			"d/new.txt": plumb.ReasonAddedInGit, "e.txt": plumb.ReasonAddedInGit,
		}},
		{step: "temp", name: "d/new.txt", after: map[string]plumb.Reason{
			"a.txt": plumb.ReasonUpToDate, "b.txt": plumb.ReasonRemovedInGit, "c.txt": plumb.ReasonUpToDate,
			"d/new.txt": plumb.ReasonAddedInGit, "e.txt": plumb.ReasonAddedInGit,
		}},
		{step: "renamed", name: "e.txt", after: map[string]plumb.Reason{
			"a.txt": plumb.ReasonUpToDate, "b.txt": plumb.ReasonRemovedInGit, "c.txt": plumb.ReasonUpToDate,
			"d/new.txt": plumb.ReasonUpToDate, "e.txt": plumb.ReasonUpToDate,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.step+"-"+strings.ReplaceAll(tt.name, "/", "_"), func(t *testing.T) {
			root := t.TempDir()
			d := mustDriver(root)
			applyAll(t, d, crashV1())
			runCrash(t, root, tt.step, tt.name)

			// Nothing is unowned: the inventory is old ∪ new.
			inv := readInv(t, root)
			wantOwned := []string{"a.txt", "b.txt", "c.txt", "d/new.txt", "e.txt"}
			if got := invPaths(inv); !slices.Equal(got, wantOwned) {
				t.Fatalf("inventory after crash owns %v, want %v", got, wantOwned)
			}
			if !slices.Contains(inv.Dirs, "d") {
				t.Errorf("inventory after crash does not own the new directory d: %v", inv.Dirs)
			}
			for _, f := range liveFiles(t, root) {
				if isTemp(f) || strings.HasPrefix(f, ".plumb/") {
					continue
				}
				if !slices.Contains(wantOwned, f) {
					t.Errorf("file %s is in the root but in no inventory", f)
				}
			}
			if tt.step == "temp" && !slices.ContainsFunc(liveFiles(t, root), isTemp) {
				t.Fatal("crash at temp left no temp file; the test does not test cleanup")
			}

			// The next plan cleans temp files and names the right reasons.
			p, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, crashV2(), true)
			if err != nil {
				t.Fatal(err)
			}
			if tmp := slices.IndexFunc(liveFiles(t, root), isTemp); tmp >= 0 {
				t.Errorf("Plan left temp file %s", liveFiles(t, root)[tmp])
			}
			got := map[string]plumb.Reason{}
			for _, a := range p.Actions {
				got[a.Object] = a.Reason
			}
			if !equalMaps(got, tt.after) {
				t.Errorf("plan after crash: %v\nwant %v", got, tt.after)
			}

			// Applying it converges exactly.
			if _, err := d.Apply(t.Context(), p); err != nil {
				t.Fatal(err)
			}
			inv = readInv(t, root)
			if got, want := invPaths(inv), []string{"a.txt", "c.txt", "d/new.txt", "e.txt"}; !slices.Equal(got, want) {
				t.Errorf("inventory after recovery owns %v, want %v", got, want)
			}
			for _, e := range inv.Files {
				if e.Pending != nil || e.SHA256 == "" {
					t.Errorf("entry %s not settled: %+v", e.Path, e)
				}
			}
			if got, want := liveFiles(t, root), []string{".plumb/web.json", "a.txt", "c.txt", "d/new.txt", "e.txt"}; !slices.Equal(got, want) {
				t.Errorf("root after recovery: %v, want %v", got, want)
			}
			if p, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, crashV2(), true); err != nil || p.HasChanges() {
				t.Errorf("plan after recovery has changes (%v): %+v", err, p.Actions)
			}
		})
	}
}

// runCrash runs this test binary as a child that applies crashV2 to root
// and dies at step.
func runCrash(t *testing.T, root, step, name string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashRoot+"="+root, envCrashStep+"="+step, envCrashName+"="+name)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != crashExit {
		t.Fatalf("child did not crash at %s %s: %v\n%s", step, name, err, out)
	}
}

func TestOrphanTempFilesRemoved(t *testing.T) {
	root := t.TempDir()
	d := mustDriver(root)
	applyAll(t, d, crashV2())
	orphans := []string{".plumb/.web.json.plumb-0123456789ab.tmp", ".a.txt.plumb-00112233aabb.tmp", "d/.new.txt.plumb-ffffffffffff.tmp"}
	strangers := []string{".a.txt.plumb-nothex000000.tmp", ".other.txt.plumb-0123456789ab.tmp", ".plumb/.api.json.plumb-0123456789ab.tmp", ".a.txt.plumb-0123456789ab.tmp.keep"}
	for _, f := range append(slices.Clone(orphans), strangers...) {
		if err := os.WriteFile(filepath.Join(root, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, crashV2(), true); err != nil {
		t.Fatal(err)
	}
	live := liveFiles(t, root)
	for _, f := range orphans {
		if slices.Contains(live, f) {
			t.Errorf("orphan temp file %s not removed", f)
		}
	}
	for _, f := range strangers {
		if !slices.Contains(live, f) {
			t.Errorf("%s removed, but it is not a temp file of the app", f)
		}
	}
}

func mustDriver(root string) *Driver {
	tgt, err := New(context.Background(), &config.Target{Name: "host", Kind: Kind, Files: &config.FilesTarget{Root: root}}, "")
	if err != nil {
		panic(err)
	}
	return tgt.(*Driver)
}

func applyAll(t *testing.T, d *Driver, want plumb.Desired) {
	t.Helper()
	p, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, want, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(t.Context(), p); err != nil {
		t.Fatal(err)
	}
}

func readInv(t *testing.T, root string) *inventory {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".plumb", "web.json"))
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory{}
	if err := json.Unmarshal(b, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func invPaths(inv *inventory) []string {
	var out []string
	for _, e := range inv.Files {
		out = append(out, e.Path)
	}
	return out
}

// liveFiles lists the non-directories under root, sorted.
func liveFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func isTemp(p string) bool {
	_, ok := tempBase(filepath.Base(p))
	return ok
}

func equalMaps(a, b map[string]plumb.Reason) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
