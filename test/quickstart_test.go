package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestQuickstart runs `plumb quickstart` as a newcomer would: the example
// syncs, a commit is followed, a hand edit is put back, Ctrl-C stops it.
func TestQuickstart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qs")
	addr := freePort(t)
	d := &daemon{t: t, addr: addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	d.cmd = exec.Command(plumbBin, "quickstart", dir, "--listen", addr)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	d.cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // a machine with no git identity
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("quickstart output:\n%s", d.logs.String())
		}
	})
	d.waitReady()
	e := &env{t: t, live: filepath.Join(dir, "live")}
	e.fileIs("index.html", mustRead(t, filepath.Join(dir, "repo/site/index.html")))
	if !strings.Contains(d.logs.String(), "Try this") {
		t.Errorf("quickstart did not print what to try:\n%s", d.logs.String())
	}

	// Commit a change the way the welcome text suggests.
	page := filepath.Join(dir, "repo/site/index.html")
	if err := os.WriteFile(page, []byte("<h1>Hello, GitOps</h1>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git := exec.Command("git", "commit", "-qam", "Greet GitOps")
	git.Dir, git.Env = filepath.Join(dir, "repo"), d.cmd.Env
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git commit in the quickstart repo: %v\n%s", err, out)
	}
	e.fileIs("index.html", "<h1>Hello, GitOps</h1>\n")

	// Deface the live copy: it is put back.
	if err := os.WriteFile(filepath.Join(e.live, "index.html"), []byte("defaced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.fileIs("index.html", "<h1>Hello, GitOps</h1>\n")
	out := d.mustPlumb("history", "web")
	if !strings.Contains(out, "Greet GitOps") || !strings.Contains(out, "drifted in target") {
		t.Errorf("history after the tour:\n%s", out)
	}

	// Ctrl-C stops cleanly.
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("quickstart did not exit cleanly on Ctrl-C: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("quickstart did not stop on Ctrl-C")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
