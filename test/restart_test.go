package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/store"
)

// TestKillDuringSync: kill -9 of the daemon in the middle of a large sync;
// a restart converges to exactly Git, with no orphaned, temporary or
// half-written files.
func TestKillDuringSync(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/keep.txt", "keep\n")
	e.push("small")
	e.writeConfig("plumb.yaml", baseConfig+webApp)
	d := e.serve()
	e.fileIs("keep.txt", "keep\n")

	// A big commit: many files, so the apply takes a while.
	blob := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	for i := range 1500 {
		e.repo.WriteFile(fmt.Sprintf("web/big/%02d/f%04d.bin", i%30, i), fmt.Sprintf("%d\n%s", i, blob))
	}
	e.repo.Remove("web/keep.txt")
	e.push("big commit")
	eventually(t, "the big sync to be running", func() (bool, string) {
		for _, r := range d.history("web") {
			if r.Result == store.ResultRunning {
				return true, ""
			}
		}
		return false, "no running sync"
	})
	d.kill()

	d = e.serve()
	eventually(t, "convergence after restart", func() (bool, string) {
		a := d.app("web")
		return a.Status.Sync == plumb.SyncSynced && a.Status.Revision == e.repo.Head(), string(a.Status.Sync)
	})
	want := map[string]string{}
	filepath.WalkDir(filepath.Join(e.repo.Dir(), "web"), func(p string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			rel, _ := filepath.Rel(filepath.Join(e.repo.Dir(), "web"), p)
			want[rel] = hashFile(t, p)
		}
		return nil
	})
	got := map[string]string{}
	filepath.WalkDir(e.live, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.live, p)
		if de.IsDir() && rel == ".plumb" {
			return filepath.SkipDir
		}
		if !de.IsDir() {
			got[rel] = hashFile(t, p)
		}
		return nil
	})
	for rel, h := range want {
		if got[rel] != h {
			t.Errorf("%s: live differs from Git after restart", rel)
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok {
			t.Errorf("orphaned file in the target after restart: %s", rel)
		}
	}
	interrupted := syncsOf(d.history("web"), store.ResultInterrupted)
	if len(interrupted) != 1 {
		t.Errorf("history should show the killed sync as interrupted, has %d", len(interrupted))
	}
}

func hashFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
