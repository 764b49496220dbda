package gittest_test

import (
	"os/exec"
	"strings"
	"testing"

	"plumb.dev/plumb/internal/gittest"
)

func gittestCmd(args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Env = gittest.Env()
	return cmd
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := gittestCmd(args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}
