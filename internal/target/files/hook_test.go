package files_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/target/files"
)

func hookOf(command string, timeout time.Duration) *config.Hook {
	return &config.Hook{Command: command, Timeout: config.Duration{Duration: timeout}}
}

func TestAfterApplyRunsAfterChanges(t *testing.T) {
	root, log := t.TempDir(), filepath.Join(t.TempDir(), "log")
	cmd := `echo "applied $PLUMB_APP at $PLUMB_REVISION in $(pwd)"; echo to-stderr >&2; echo run >> ` + log
	d := newDriver(t, &config.FilesTarget{Root: root, AfterApply: hookOf(cmd, 0)})
	want := desired("r1", file("app.conf", "a\n"))

	res := sync(t, d, "web", want)
	if len(res.Hooks) != 1 {
		t.Fatalf("hooks after the first apply: %+v, want one", res.Hooks)
	}
	h := res.Hooks[0]
	if h.Name != "afterApply" || h.Command != cmd || h.ExitCode != 0 || h.Error != "" {
		t.Errorf("hook run = %+v", h)
	}
	for _, s := range []string{"applied web at r1 in " + root, "to-stderr"} {
		if !strings.Contains(h.Output, s) {
			t.Errorf("hook output %q lacks %q", h.Output, s)
		}
	}

	// Nothing changes: no hook.
	if res := sync(t, d, "web", want); len(res.Hooks) != 0 {
		t.Errorf("hook ran for an apply that changed nothing: %+v", res.Hooks)
	}
	// Healing drift is a change.
	must(t, os.WriteFile(filepath.Join(root, "app.conf"), []byte("hand\n"), 0o644))
	if res := sync(t, d, "web", want); len(res.Hooks) != 1 {
		t.Errorf("hooks after healing drift: %+v, want one", res.Hooks)
	}
	if got := readString(t, log); got != "run\nrun\n" {
		t.Errorf("hook ran %d times, want 2", strings.Count(got, "run"))
	}
}

func TestAfterApplyFailure(t *testing.T) {
	root := t.TempDir()
	d := newDriver(t, &config.FilesTarget{Root: root, AfterApply: hookOf("echo reload failed; exit 3", 0)})
	p := mustPlan(t, d, "web", desired("r1", file("app.conf", "a\n")), true)
	res, err := d.Apply(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "afterApply") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Apply error = %v, want the afterApply failure", err)
	}
	if len(res.Hooks) != 1 || res.Hooks[0].ExitCode != 3 || res.Hooks[0].Output != "reload failed\n" {
		t.Errorf("hooks = %+v", res.Hooks)
	}
	if res.Failed() {
		t.Errorf("file actions reported failed, but only the hook failed: %+v", res.Actions)
	}
}

func TestHookTimeoutKillsProcessGroup(t *testing.T) {
	root, pidFile := t.TempDir(), filepath.Join(t.TempDir(), "pid")
	cmd := "sleep 300 & echo $! > " + pidFile + "; echo started; wait"
	d := newDriver(t, &config.FilesTarget{Root: root, AfterApply: hookOf(cmd, 500*time.Millisecond)})
	p := mustPlan(t, d, "web", desired("r1", file("app.conf", "a\n")), true)
	res, err := d.Apply(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Apply error = %v, want a timeout", err)
	}
	h := res.Hooks[0]
	if h.ExitCode != -1 || !strings.Contains(h.Error, "process group was killed") || h.Output != "started\n" {
		t.Errorf("hook run = %+v", h)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(readString(t, pidFile)))
	if err != nil {
		t.Fatal(err)
	}
	waitDead(t, pid)
}

// waitDead waits until pid is gone or a zombie (killed, not yet reaped).
func waitDead(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(fields) > 0 && fields[0] == "Z" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background process %d of a timed-out hook is still alive", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHookOutputCapped(t *testing.T) {
	d := newDriver(t, &config.FilesTarget{Root: t.TempDir(), AfterApply: hookOf("head -c 200000 /dev/zero | tr '\\0' a; echo; echo tail", 0)})
	res := sync(t, d, "web", desired("r1", file("a", "a")))
	out := res.Hooks[0].Output
	if len(out) > files.MaxHookOutput+100 || !strings.Contains(out, "output truncated") || !strings.HasPrefix(out, "aaaa") {
		t.Errorf("output of %d bytes ending %q", len(out), out[max(len(out)-80, 0):])
	}
}

func TestHealth(t *testing.T) {
	root := t.TempDir()
	check := "test -f app.conf || { echo app.conf missing for $PLUMB_APP >&2; exit 1; }; grep -q good app.conf || { echo config is bad; exit 2; }"
	d := newDriver(t, &config.FilesTarget{Root: root, HealthCheck: hookOf(check, 0)})
	app := plumb.AppRef{Name: "web"}
	health := func() plumb.Health {
		t.Helper()
		h, err := d.Health(t.Context(), app)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := health(); h.Status != plumb.HealthMissing {
		t.Errorf("before any apply: %+v, want Missing", h)
	}
	sync(t, d, "web", desired("r1", file("app.conf", "good\n"), file("lib/x", "x")))
	if h := health(); h.Status != plumb.HealthHealthy || len(h.Hooks) != 1 || h.Hooks[0].Name != "healthCheck" {
		t.Errorf("after apply: %+v, want Healthy with the check's run", h)
	}
	must(t, os.WriteFile(filepath.Join(root, "app.conf"), []byte("bad\n"), 0o644))
	if h := health(); h.Status != plumb.HealthDegraded || !strings.Contains(h.Message, "config is bad") || h.Hooks[0].ExitCode != 2 {
		t.Errorf("failing check: %+v, want Degraded with its output", h)
	}
	must(t, os.Remove(filepath.Join(root, "lib/x")))
	if h := health(); h.Status != plumb.HealthMissing || h.Object != "lib/x" {
		t.Errorf("owned file deleted: %+v, want Missing naming lib/x", h)
	}
}

func TestHealthWithoutCheck(t *testing.T) {
	d := newDriver(t, &config.FilesTarget{Root: t.TempDir()})
	sync(t, d, "empty", desired("r1"))
	h, err := d.Health(t.Context(), plumb.AppRef{Name: "empty"})
	if err != nil || h.Status != plumb.HealthHealthy {
		t.Errorf("app with no files, applied: %+v %v, want Healthy", h, err)
	}
}
