// Package gittest makes real Git repositories with the git binary and serves
// them over smart HTTP (git http-backend through net/http/cgi) and SSH on
// 127.0.0.1, so that tests fetch, push and authenticate for real.
//
// The testing.TB helpers (NewRepo, Serve, ServeSSH) register cleanups and
// fail the test on error. Programs that are not tests (benchmark harnesses)
// use InitRepo with a Fatal TB, StartServer and StartSSHServer, and Close
// what they start.
package gittest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Author is the author and committer of every commit a Repo makes.
const (
	AuthorName  = "Plumb Test"
	AuthorEmail = "test@plumb.dev"
)

// BaseTime is the author and committer time of a Repo's first commit; each
// later commit is one second later, so that commit IDs are deterministic.
var BaseTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Env returns a clean environment for the git binary: no system or global
// config, no prompts, C locale. extra entries are appended.
func Env(extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
	}
	return append(env, extra...)
}

// runGit runs git with args in dir and returns its trimmed stdout.
func runGit(dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(context.Background(), "git", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), dir, err,
			strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// execPath returns git's exec-path, where git-http-backend lives.
func execPath() (string, error) {
	return runGit("", Env(), "--exec-path")
}
