package files_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target/files"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// newDriver builds a files driver for spec.
func newDriver(t *testing.T, spec *config.FilesTarget) *files.Driver {
	t.Helper()
	tgt, err := files.New(t.Context(), &config.Target{Name: "host", Kind: "files", Files: spec}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return tgt.(*files.Driver)
}

func file(p, content string) plumb.File {
	return plumb.File{Path: p, Mode: 0o644, Data: []byte(content)}
}

func link(p, to string) plumb.File {
	return plumb.File{Path: p, Mode: fs.ModeSymlink | 0o777, Data: []byte(to)}
}

func desired(rev string, fs ...plumb.File) plumb.Desired {
	return plumb.Desired{Revision: rev, Files: fs}
}

// sync plans and applies desired with prune, failing on any error.
func sync(t *testing.T, d *files.Driver, app string, want plumb.Desired) plumb.Result {
	t.Helper()
	p, err := d.Plan(t.Context(), plumb.AppRef{Name: app}, want, true)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	res, err := d.Apply(t.Context(), p)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func mustPlan(t *testing.T, d *files.Driver, app string, want plumb.Desired, prune bool) plumb.Plan {
	t.Helper()
	p, err := d.Plan(t.Context(), plumb.AppRef{Name: app}, want, prune)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

// tree lists every file, symlink and directory under root (relative,
// with a kind marker), sorted.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case rel == ".":
		case de.IsDir():
			out = append(out, rel+"/")
		case de.Type()&fs.ModeSymlink != 0:
			to, _ := os.Readlink(p)
			out = append(out, rel+" -> "+to)
		default:
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readString(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from golden file (run with -update to accept):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// actionsOf summarizes a plan's actions as "type object (reason)".
func actionsOf(p plumb.Plan) string {
	var b strings.Builder
	for _, a := range p.Actions {
		b.WriteString(string(a.Type) + " " + a.Object + " (" + string(a.Reason) + ")")
		if a.Detail != "" {
			b.WriteString(": " + a.Detail)
		}
		b.WriteString("\n")
	}
	return b.String()
}
