package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const appDoc = "apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: s}\nspec: {git: {url: 'https://example.com/r.git'}}\n"

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.yaml"), "b")
	writeFile(t, filepath.Join(dir, "a/z.yml"), "z")
	writeFile(t, filepath.Join(dir, "a/notes.txt"), "n")
	writeFile(t, filepath.Join(dir, ".git/config.yaml"), "hidden dir")
	writeFile(t, filepath.Join(dir, "a/.hidden.yaml"), "hidden file")
	writeFile(t, filepath.Join(outside, "linked.yaml"), "linked")
	must(t, os.Symlink(filepath.Join(outside, "linked.yaml"), filepath.Join(dir, "c.yaml")))
	must(t, os.Symlink(outside, filepath.Join(dir, "d.yaml")))
	must(t, os.Symlink(filepath.Join(outside, "missing.yaml"), filepath.Join(dir, "e.yaml")))

	files, err := ReadFiles(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Name: "a/z.yml", Data: []byte("z")},
		{Name: "b.yaml", Data: []byte("b")},
		{Name: "c.yaml", Data: []byte("linked")},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("ReadFiles = %q\nwant %q", files, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadMissingDir(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "nope"))
	var list ErrorList
	if cfg != nil || !errors.Is(err, fs.ErrNotExist) || errors.As(err, &list) {
		t.Errorf("Load(missing) = %v, %v; want a not-exist error", cfg, err)
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.yaml"), appDoc)
	if os.Geteuid() == 0 {
		// root reads files whatever their mode: link to a file whose
		// reads fail instead.
		must(t, os.Symlink("/proc/self/mem", filepath.Join(dir, "x.yaml")))
	} else {
		writeFile(t, filepath.Join(dir, "x.yaml"), appDoc)
		must(t, os.Chmod(filepath.Join(dir, "x.yaml"), 0))
	}
	cfg, err := Load(dir)
	var list ErrorList
	if cfg != nil || err == nil || errors.As(err, &list) || !strings.Contains(err.Error(), "read x.yaml") {
		t.Errorf("Load = %v, %v; want a read error naming x.yaml", cfg, err)
	}
}

// TestLoadFS reads config from an in-memory tree, as the engine does from
// a Git tree.
func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"plumb/source.yaml":    {Data: []byte(appDoc)},
		"plumb/.old/src.yaml":  {Data: []byte("not: [yaml")},
		"plumb/broken.yml":     {Data: []byte("apiVersion: plumb.dev/v1alpha1\nkind: Source\nmetadata: {name: s}\nspec: {}\n")},
		"plumb/docs/README.md": {Data: []byte("# docs")},
	}
	_, err := LoadFS(fsys)
	want := "plumb/broken.yml:4: Source \"s\": spec.git: required field missing\n" +
		"plumb/source.yaml:3: Source \"s\": metadata.name: duplicate name: Source \"s\" is also defined at plumb/broken.yml:3"
	if err == nil || err.Error() != want {
		t.Errorf("LoadFS error:\n%v\nwant:\n%s", err, want)
	}
	delete(fsys, "plumb/broken.yml")
	cfg, err := LoadFS(fsys)
	if err != nil || len(cfg.Sources) != 1 || cfg.Sources[0].Pos != (Pos{"plumb/source.yaml", 1}) {
		t.Errorf("LoadFS = %+v, %v", cfg, err)
	}
}
