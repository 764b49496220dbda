package files

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plumb.dev/plumb"
)

// TestOneFailedWrite replaces a file by a directory in the middle of an
// Apply, as a person racing plumb might: that write fails, the others
// land, the prune is skipped and everything stays owned.
func TestOneFailedWrite(t *testing.T) {
	root := t.TempDir()
	d := mustDriver(root)
	applyAll(t, d, crashV1())
	testHook = func(step, name string) {
		if step == "renamed" && name == "a.txt" {
			if err := os.MkdirAll(filepath.Join(root, "d", "new.txt", "in-the-way"), 0o755); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(func() { testHook = nil })
	p, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, crashV2(), true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Apply(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "d/new.txt") {
		t.Fatalf("Apply error = %v, want the failure of d/new.txt", err)
	}
	failed := map[string]string{}
	for _, a := range res.Actions {
		if a.Error != "" {
			failed[a.Object] = a.Error
		}
	}
	if len(failed) != 2 || failed["d/new.txt"] == "" || !strings.Contains(failed["b.txt"], "skipped") {
		t.Errorf("failed actions = %v, want d/new.txt failed and the delete of b.txt skipped", failed)
	}
	if got := readFileT(t, filepath.Join(root, "e.txt")); got != "new e\n" {
		t.Errorf("e.txt = %q: writes after the failure should still land", got)
	}
	if got := invPaths(readInv(t, root)); !slices.Equal(got, []string{"a.txt", "b.txt", "c.txt", "d/new.txt", "e.txt"}) {
		t.Errorf("inventory owns %v", got)
	}
	// Once the obstacle is gone, the next sync converges.
	testHook = nil
	if err := os.RemoveAll(filepath.Join(root, "d", "new.txt")); err != nil {
		t.Fatal(err)
	}
	applyAll(t, d, crashV2())
	if got := invPaths(readInv(t, root)); !slices.Equal(got, []string{"a.txt", "c.txt", "d/new.txt", "e.txt"}) {
		t.Errorf("inventory after recovery owns %v", got)
	}
}

func TestLongNames(t *testing.T) {
	root := t.TempDir()
	d := mustDriver(root)
	long := strings.Repeat("n", 255)
	applyAll(t, d, plumb.Desired{Revision: "r", Files: []plumb.File{{Path: long, Mode: 0o644, Data: []byte("x")}}})
	if err := os.WriteFile(filepath.Join(root, "."+tempStem(long)+tempInfix+"0123456789ab"+tempSuffix), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, plumb.Desired{}, true); err != nil {
		t.Fatal(err)
	}
	if got := liveFiles(t, root); !slices.Equal(got, []string{".plumb/web.json", long}) {
		t.Errorf("root = %v: the temp file of a 255-byte name was not cleaned", got)
	}
	_, err := d.Plan(t.Context(), plumb.AppRef{Name: "web"}, plumb.Desired{Files: []plumb.File{{Path: long + "x"}}}, true)
	if err == nil || !strings.Contains(err.Error(), "256 bytes long") {
		t.Errorf("Plan of a 256-byte name: %v", err)
	}
}

func readFileT(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
