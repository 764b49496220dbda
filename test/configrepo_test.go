package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/gittest"
)

// TestConfigFromGit: plumb's own config lives in Git. An App added there
// starts syncing; an App removed has what it owned pruned (prune: true).
func TestConfigFromGit(t *testing.T) {
	e := newEnv(t)
	e.repo.WriteFile("web/index.html", "web\n")
	e.repo.WriteFile("docs/guide.html", "guide\n")
	e.push("content")

	cfgRepo := gittest.NewRepo(t)
	cfgSrv := gittest.Serve(t, cfgRepo)
	put := func(body string) {
		cfgRepo.WriteFile("clusters/prod/plumb.yaml", strings.NewReplacer("{{URL}}", e.srv.URL(), "{{LIVE}}", e.live).Replace(body))
		cfgRepo.Commit("config")
		cfgRepo.Push()
	}
	docsApp := `---
apiVersion: plumb.dev/v1alpha1
kind: App
metadata: {name: docs}
spec: {source: site, path: docs, target: local, prune: true}
`
	put(baseConfig + webApp)

	addr := freePort(t)
	d := &daemon{t: t, addr: addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	d.cmd = exec.Command(plumbBin, "serve", "--config-repo", cfgSrv.URL(), "--config-path", "clusters/prod",
		"--config-interval", "500ms", "--state", e.state, "--listen", addr)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("logs:\n%s", d.logs.String())
		}
	})
	d.waitReady()
	e.fileIs("index.html", "web\n")

	put(baseConfig + webApp + docsApp)
	e.fileIs("guide.html", "guide\n")

	put(baseConfig + webApp)
	e.gone("guide.html")
	if _, err := os.Stat(filepath.Join(e.live, "index.html")); err != nil {
		t.Fatalf("removing docs touched web: %v", err)
	}
	out, code := d.plumb("status", "docs")
	if code == 0 || !strings.Contains(out, "not found") {
		t.Errorf("status of a removed app: exit %d\n%s", code, out)
	}
	// A broken config commit is reported and changes nothing.
	put(baseConfig + webApp + "---\napiVersion: plumb.dev/v1alpha1\nkind: App\nmetadata: {name: broken}\nspec: {source: nowhere, path: x, target: local}\n")
	eventually(t, "config.failed naming the file", func() (bool, string) {
		l := d.logs.String()
		return strings.Contains(l, "config.failed") && strings.Contains(l, "clusters/prod"), ""
	})
	if _, err := os.Stat(filepath.Join(e.live, "index.html")); err != nil {
		t.Fatalf("a broken config commit changed the target: %v", err)
	}
}
