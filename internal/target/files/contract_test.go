package files_test

import (
	"os"
	"path/filepath"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target"
	"plumb.dev/plumb/internal/target/files"
	"plumb.dev/plumb/internal/target/targettest"
)

// fixture runs the contract suite on a fresh root per instance. B sits in a
// directory of its own, C in a new nested one, so pruning and directory
// creation are exercised too.
type fixture struct{}

func (fixture) Objects() targettest.Objects {
	return targettest.Objects{A: "app.conf", B: "lib/old.txt", C: "conf.d/site/new.conf"}
}

func (fixture) New(t *testing.T) targettest.Instance {
	root := filepath.Join(t.TempDir(), "root")
	d := newDriver(t, &config.FilesTarget{Root: root})
	return targettest.Instance{
		Target: d,
		App:    plumb.AppRef{Name: "web"},
		Mutate: func(t *testing.T, object string) {
			t.Helper()
			if err := os.WriteFile(filepath.Join(root, object), []byte("edited by hand\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func (fixture) Desired(t *testing.T, version int) plumb.Desired {
	switch version {
	case 1:
		return desired("v1", file("app.conf", "listen 80\nworkers 2\n"), file("lib/old.txt", "old\n"))
	case 2:
		return desired("v2", file("app.conf", "listen 80\nworkers 4\n"), file("conf.d/site/new.conf", "new\n"))
	}
	t.Fatalf("no version %d", version)
	return plumb.Desired{}
}

func TestContract(t *testing.T) { targettest.Run(t, fixture{}) }

func TestRegistered(t *testing.T) {
	tgt, err := target.New(t.Context(), &config.Target{Name: "host", Kind: "files", Files: &config.FilesTarget{Root: t.TempDir()}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tgt.(*files.Driver); !ok {
		t.Fatalf("target.New(kind files) = %T, want *files.Driver", tgt)
	}
}

func TestNewRefusesMissingSpec(t *testing.T) {
	for _, ft := range []*config.FilesTarget{nil, {}} {
		if _, err := files.New(t.Context(), &config.Target{Name: "host", Kind: "files", Files: ft}, ""); err == nil {
			t.Errorf("New with files spec %+v: no error", ft)
		}
	}
}
