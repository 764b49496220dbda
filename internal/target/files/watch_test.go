package files_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target/files"
)

// watching is a Watch running in the background.
type watching struct {
	drifts chan plumb.Drift
}

// watch starts d.Watch for app; it stops (and must return nil) at cleanup.
func watch(t *testing.T, d *files.Driver, app string) watching {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := watching{drifts: make(chan plumb.Drift, 1024)}
	done := make(chan error, 1)
	go func() { done <- d.Watch(ctx, plumb.AppRef{Name: app}, func(dr plumb.Drift) { w.drifts <- dr }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch returned %v, want nil after cancel", err)
		}
	})
	return w
}

// next returns the next drift reported; the deadline only bounds a failing
// test.
func (w watching) next(t *testing.T) plumb.Drift {
	t.Helper()
	select {
	case d := <-w.drifts:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("no drift reported")
		return plumb.Drift{}
	}
}

// expect checks that the next drift is want.
func (w watching) expect(t *testing.T, want plumb.Drift) {
	t.Helper()
	if got := w.next(t); got != want {
		t.Errorf("drift = %+v, want %+v", got, want)
	}
}

func TestWatchReportsHandEdits(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	sync(t, d, "web", desired("r1", file("a.conf", "a\n"), file("b.conf", "b\n"), file("deep/er/c.conf", "c\n"), link("l", "a.conf")))
	w := watch(t, d, "web")

	replace(t, root, "a.conf", []byte("edited\n"))
	w.expect(t, plumb.Drift{Object: "a.conf", Detail: "content changed"})

	must(t, os.Chmod(filepath.Join(root, "b.conf"), 0o600))
	w.expect(t, plumb.Drift{Object: "b.conf", Detail: "mode changed 0644→0600"})

	// Unowned files, in owned directories or not, are no one's drift.
	replace(t, root, "deep/er/unowned", []byte("x"))
	replace(t, root, "unowned", []byte("x"))
	must(t, os.RemoveAll(filepath.Join(root, "deep")))
	w.expect(t, plumb.Drift{Object: "deep/er/c.conf", Detail: "deleted"})

	// Directories appear again, and are watched again.
	must(t, os.MkdirAll(filepath.Join(root, "deep/er"), 0o755))
	replace(t, root, "deep/er/c.conf", []byte("c2\n"))
	w.expect(t, plumb.Drift{Object: "deep/er/c.conf", Detail: "content changed"})
	replace(t, root, "deep/er/c.conf", []byte("c3\n"))
	w.expect(t, plumb.Drift{Object: "deep/er/c.conf", Detail: "content changed"})

	must(t, os.Remove(filepath.Join(root, "l")))
	must(t, os.Symlink("b.conf", filepath.Join(root, "l")))
	w.expect(t, plumb.Drift{Object: "l", Detail: "symlink target changed"})
}

func TestWatchIgnoresOwnApply(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	var v1, v2 []plumb.File
	for _, n := range []string{"a", "b", "c", "d/e", "d/f", "g/h/i"} {
		v1 = append(v1, file(n, "one "+n+"\n"))
		v2 = append(v2, plumb.File{Path: n + ".new", Mode: 0o600, Data: []byte("two " + n)})
	}
	sync(t, d, "web", desired("r1", v1...))
	w := watch(t, d, "web")
	// Another driver on the same root, as a second plumb process would be.
	other := newDriver(t, &config.FilesTarget{Root: root})
	for i := range 5 {
		sync(t, d, "web", desired("r2", append(v2, file("a", "changed "+string(rune('0'+i))))...))
		sync(t, other, "web", desired("r3", v1...))
	}
	// The only drift is the hand edit that follows.
	replace(t, root, "b", []byte("by hand\n"))
	w.expect(t, plumb.Drift{Object: "b", Detail: "content changed"})
}

func TestWatchReportsDriftPresentAtStart(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root})
	sync(t, d, "web", desired("r1", file("a.conf", "a\n")))
	must(t, os.Remove(filepath.Join(root, "a.conf")))
	w := watch(t, d, "web")
	w.expect(t, plumb.Drift{Object: "a.conf", Detail: "deleted"})
}

func TestWatchReportsEachDriftOnce(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root, CheckInterval: config.Duration{Duration: 50 * time.Millisecond}})
	sync(t, d, "web", desired("r1", file("a.conf", "a\n"), file("b.conf", "b\n")))
	w := watch(t, d, "web")
	replace(t, root, "a.conf", []byte("x\n"))
	w.expect(t, plumb.Drift{Object: "a.conf", Detail: "content changed"})
	// The same live state again (rewritten, touched) is not news, even
	// across many backstop checks; a.conf sorts first, so a repeat would
	// come before b.conf's drift.
	replace(t, root, "a.conf", []byte("x\n"))
	now := time.Now()
	must(t, os.Chtimes(filepath.Join(root, "a.conf"), now, now))
	time.Sleep(300 * time.Millisecond) // let several backstop checks run
	replace(t, root, "b.conf", []byte("y\n"))
	w.expect(t, plumb.Drift{Object: "b.conf", Detail: "content changed"})
	// Healing a.conf by hand and drifting it again is news.
	replace(t, root, "a.conf", []byte("a\n"))
	time.Sleep(300 * time.Millisecond)
	replace(t, root, "a.conf", []byte("x\n"))
	w.expect(t, plumb.Drift{Object: "a.conf", Detail: "content changed"})
}

// TestWatchBackstop changes an owned file through a hard link in a
// directory the watch does not cover, so no filesystem event reaches it:
// only the periodic check can see the change.
func TestWatchBackstop(t *testing.T) {
	base := t.TempDir()
	root, elsewhere := filepath.Join(base, "root"), filepath.Join(base, "elsewhere")
	must(t, os.Mkdir(elsewhere, 0o755))
	d := newDriver(t, &config.FilesTarget{Root: root, CheckInterval: config.Duration{Duration: 200 * time.Millisecond}})
	sync(t, d, "web", desired("r1", file("a.conf", "a\n"), file("b.conf", "b\n")))
	must(t, os.Link(filepath.Join(root, "a.conf"), filepath.Join(elsewhere, "alias")))
	w := watch(t, d, "web")
	// A first drift shows the watch is up and past its initial check.
	must(t, os.Remove(filepath.Join(root, "b.conf")))
	w.expect(t, plumb.Drift{Object: "b.conf", Detail: "deleted"})
	f, err := os.OpenFile(filepath.Join(elsewhere, "alias"), os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	_, err = f.WriteString("appended elsewhere\n")
	must(t, err)
	must(t, f.Close())
	w.expect(t, plumb.Drift{Object: "a.conf", Detail: "content changed"})
}

// replace swaps a file's content atomically, as many editors do, so a
// watcher never sees it half written.
func replace(t *testing.T, root, name string, data []byte) {
	t.Helper()
	tmp := filepath.Join(root, filepath.Dir(name), ".edit-"+filepath.Base(name))
	must(t, os.WriteFile(tmp, data, 0o644))
	must(t, os.Rename(tmp, filepath.Join(root, name)))
}

func TestRootIsSymlink(t *testing.T) {
	base := t.TempDir()
	real, root := filepath.Join(base, "real"), filepath.Join(base, "root")
	must(t, os.Mkdir(real, 0o755))
	must(t, os.Symlink(real, root))
	d := newDriver(t, &config.FilesTarget{Root: root})
	sync(t, d, "web", desired("r1", file("sub/a.conf", "a\n"), file("probe", "p")))
	if got := readString(t, filepath.Join(real, "sub/a.conf")); got != "a\n" {
		t.Fatalf("a.conf = %q", got)
	}
	w := watch(t, d, "web")
	// A first drift shows the watch is up and past its initial check.
	must(t, os.Remove(filepath.Join(root, "probe")))
	w.expect(t, plumb.Drift{Object: "probe", Detail: "deleted"})
	replace(t, real, "sub/a.conf", []byte("b\n"))
	w.expect(t, plumb.Drift{Object: "sub/a.conf", Detail: "content changed"})
}
