package files

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
)

// TestWatchesShareOneInotifyInstance: many apps watching one root use one
// inotify instance between them, not one each.
func TestWatchesShareOneInotifyInstance(t *testing.T) {
	root := t.TempDir()
	before := inotifyInstances(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tgt, err := New(ctx, &config.Target{Name: "t", Kind: Kind, Files: &config.FilesTarget{Root: root}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := tgt.(*Driver)
	var wg sync.WaitGroup
	for i := range 200 { // more than the default limit of 128 instances
		wg.Go(func() { _ = d.Watch(ctx, plumb.AppRef{Name: fmt.Sprintf("app%d", i)}, func(plumb.Drift) {}) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for d.shared.events.count() < 200 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := d.shared.events.count(); n != 200 {
		t.Fatalf("%d of 200 watches subscribed", n)
	}
	if got := inotifyInstances(t) - before; got != 1 {
		t.Fatalf("200 watches on one root opened %d inotify instances, want 1", got)
	}
	cancel()
	wg.Wait()
	if got := inotifyInstances(t) - before; got != 0 {
		t.Fatalf("%d inotify instances left open after every watch ended", got)
	}
}

// inotifyInstances counts this process's open inotify instances.
func inotifyInstances(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && l == "anon_inode:inotify" {
			n++
		}
	}
	return n
}
