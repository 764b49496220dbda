package git

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// cmd is one git invocation.
type cmd struct {
	args   []string
	env    []string // added to the base environment
	config [][2]string
	stdin  io.Reader
	// mirror runs git with --git-dir set to the mirror.
	mirror bool
}

// gitError is a failed git command: its subcommand, exit error and trimmed
// stderr. It never holds argv beyond the subcommand, so no URL or secret.
type gitError struct {
	Sub    string
	Err    error
	Stderr string
}

func (e *gitError) Error() string {
	if e.Stderr == "" {
		return fmt.Sprintf("git %s: %v", e.Sub, e.Err)
	}
	stderr := e.Stderr
	if len(stderr) > 512 {
		stderr = stderr[:512] + "..."
	}
	return fmt.Sprintf("git %s: %v: %s", e.Sub, e.Err, stderr)
}

func (e *gitError) Unwrap() error { return e.Err }

// baseEnv is the clean environment every git command runs with: no system
// or user config, no prompts, C locale, literal pathspecs, and only the
// transports a source may use.
func baseEnv() []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return []string{
		"PATH=" + path,
		"HOME=" + os.TempDir(),
		"LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
		"GIT_LITERAL_PATHSPECS=1",
		"GIT_ALLOW_PROTOCOL=http:https:ssh:git:file",
		"GIT_NO_REPLACE_OBJECTS=1",
	}
}

// configEnv passes config through GIT_CONFIG_COUNT/KEY/VALUE, which keeps
// values off argv.
func configEnv(kvs [][2]string) []string {
	if len(kvs) == 0 {
		return nil
	}
	env := []string{"GIT_CONFIG_COUNT=" + strconv.Itoa(len(kvs))}
	for i, kv := range kvs {
		n := strconv.Itoa(i)
		env = append(env, "GIT_CONFIG_KEY_"+n+"="+kv[0], "GIT_CONFIG_VALUE_"+n+"="+kv[1])
	}
	return env
}

// command builds the exec.Cmd for c.
func (r *Repo) command(ctx context.Context, c cmd) *exec.Cmd {
	args := c.args
	if c.mirror {
		args = append([]string{"--git-dir=" + r.dir}, args...)
	}
	x := exec.CommandContext(ctx, "git", args...)
	x.Env = append(append(baseEnv(), configEnv(c.config)...), c.env...)
	x.Stdin = c.stdin
	return x
}

// run runs c and returns its stdout.
func (r *Repo) run(ctx context.Context, c cmd) ([]byte, error) {
	x := r.command(ctx, c)
	var stdout, stderr bytes.Buffer
	x.Stdout, x.Stderr = &stdout, &stderr
	if err := x.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, &gitError{Sub: subcommand(c.args), Err: err, Stderr: trimStderr(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// git runs a git subcommand against the mirror and returns its trimmed
// stdout.
func (r *Repo) git(ctx context.Context, args ...string) (string, error) {
	out, err := r.run(ctx, cmd{args: args, mirror: true})
	return strings.TrimSpace(string(out)), err
}

func subcommand(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// trimStderr joins git's stderr lines with "; ", without blank lines, at
// most 8 KiB.
func trimStderr(s string) string {
	var lines []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	s = strings.Join(lines, "; ")
	if len(s) > 8<<10 {
		s = s[:8<<10] + "..."
	}
	return s
}
