package writeback

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	srcgit "plumb.dev/plumb/internal/source/git"
)

// gitCmd is one git invocation.
type gitCmd struct {
	dir     string // working directory ("" for none)
	gitDir  string // --git-dir, when set
	args    []string
	env     []string
	stdin   io.Reader
	secrets []string
}

// GitError is a failed git command: its subcommand and trimmed,
// credential-free stderr.
type GitError struct {
	Sub    string
	Err    error
	Stderr string
}

func (e *GitError) Error() string {
	if e.Stderr == "" {
		return fmt.Sprintf("git %s: %v", e.Sub, e.Err)
	}
	return fmt.Sprintf("git %s: %v: %s", e.Sub, e.Err, e.Stderr)
}

func (e *GitError) Unwrap() error { return e.Err }

// run runs c and returns its trimmed stdout.
func run(ctx context.Context, c gitCmd) (string, error) {
	args := c.args
	if c.gitDir != "" {
		args = append([]string{"--git-dir=" + c.gitDir}, args...)
	}
	x := exec.CommandContext(ctx, "git", args...)
	x.Dir = c.dir
	x.Env = append(baseEnv(), c.env...)
	x.Stdin = c.stdin
	var stdout, stderr bytes.Buffer
	x.Stdout, x.Stderr = &stdout, &stderr
	if err := x.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return "", &GitError{Sub: subcommand(c.args), Err: err, Stderr: srcgit.Scrub(trim(stderr.String()), c.secrets)}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// baseEnv is the clean environment every git command runs with.
func baseEnv() []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return []string{
		"PATH=" + path, "HOME=" + os.TempDir(), "LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_ALLOW_PROTOCOL=http:https:ssh:git:file", "GIT_NO_REPLACE_OBJECTS=1",
	}
}

func subcommand(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// trim joins stderr's non-blank lines with "; ", at most 2 KiB.
func trim(s string) string {
	var lines []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	s = strings.Join(lines, "; ")
	if len(s) > 2<<10 {
		s = s[:2<<10] + "..."
	}
	return s
}
