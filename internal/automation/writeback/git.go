package writeback

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"plumb.dev/plumb/internal/config"
)

// credentialHelper answers git's "get" with the username and password from
// the environment, as the Git source does for fetches.
const credentialHelper = `!f() { test "$1" = get || exit 0; ` +
	`printf 'username=%s\npassword=%s\n' "$PLUMB_GIT_USERNAME" "$PLUMB_GIT_PASSWORD"; }; f`

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
		return "", &GitError{Sub: subcommand(c.args), Err: err, Stderr: scrub(trim(stderr.String()), c.secrets)}
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

// pushAuth is the environment a push authenticates with.
type pushAuth struct {
	env     []string
	secrets []string
	cleanup func()
}

// loadPushAuth reads the remote's credentials from their files.
func loadPushAuth(r Remote) (*pushAuth, error) {
	a := &pushAuth{cleanup: func() {}}
	if isSSH(r.URL) {
		return a, a.ssh(r.Auth)
	}
	if r.Auth == nil || (r.Auth.PasswordFile == "" && r.Auth.Username == "" && r.Auth.UsernameFile == "") {
		return a, nil
	}
	return a, a.https(r.Auth)
}

func (a *pushAuth) https(spec *config.GitAuth) error {
	user := spec.Username
	if spec.UsernameFile != "" {
		b, err := os.ReadFile(spec.UsernameFile)
		if err != nil {
			return fmt.Errorf("read username file: %w", err)
		}
		user = strings.TrimRight(string(b), "\r\n")
	}
	var pass string
	if spec.PasswordFile != "" {
		b, err := os.ReadFile(spec.PasswordFile)
		if err != nil {
			return fmt.Errorf("read password file: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	if user == "" {
		user = "git"
	}
	a.env = append(configEnv([][2]string{{"credential.helper", ""}, {"credential.helper", credentialHelper}}),
		"PLUMB_GIT_USERNAME="+user, "PLUMB_GIT_PASSWORD="+pass)
	a.secrets = []string{pass, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
	return nil
}

// ssh sets GIT_SSH_COMMAND with strict host key checking and only the
// given key (a private 0600 copy, as ssh insists).
func (a *pushAuth) ssh(spec *config.GitAuth) error {
	known, key := "/dev/null", ""
	if spec != nil {
		if spec.KnownHostsFile != "" {
			known = spec.KnownHostsFile
		}
		key = spec.PrivateKeyFile
	}
	args := []string{"ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=" + shellQuote(known), "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "ConnectTimeout=30"}
	if key != "" {
		b, err := os.ReadFile(key)
		if err != nil {
			return fmt.Errorf("read private key file: %w", err)
		}
		f, err := os.CreateTemp("", "plumb-ssh-key-*")
		if err != nil {
			return fmt.Errorf("copy private key: %w", err)
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		a.cleanup = func() { _ = os.Remove(f.Name()) }
		if err != nil {
			return fmt.Errorf("copy private key: %w", err)
		}
		args = append(args, "-i", shellQuote(f.Name()))
	}
	a.env = []string{"GIT_SSH_COMMAND=" + strings.Join(args, " "), "GIT_SSH_VARIANT=ssh"}
	return nil
}

// configEnv passes config through GIT_CONFIG_COUNT/KEY/VALUE.
func configEnv(kvs [][2]string) []string {
	env := []string{"GIT_CONFIG_COUNT=" + strconv.Itoa(len(kvs))}
	for i, kv := range kvs {
		n := strconv.Itoa(i)
		env = append(env, "GIT_CONFIG_KEY_"+n+"="+kv[0], "GIT_CONFIG_VALUE_"+n+"="+kv[1])
	}
	return env
}

// isSSH reports whether u is an ssh:// URL or scp-like user@host:path.
func isSSH(u string) bool {
	if strings.HasPrefix(u, "ssh://") || strings.HasPrefix(u, "git+ssh://") {
		return true
	}
	if strings.Contains(u, "://") {
		return false
	}
	colon := strings.Index(u, ":")
	slash := strings.Index(u, "/")
	return colon > 0 && (slash < 0 || colon < slash)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var (
	userinfo   = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s']+@`)
	authHeader = regexp.MustCompile(`(?i)(authorization:\s*\w+\s+)\S+`)
)

// scrub removes secrets, URL userinfo and Authorization header values.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	s = userinfo.ReplaceAllString(s, "${1}***@")
	return authHeader.ReplaceAllString(s, "${1}***")
}

// redactURL hides any userinfo of u.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil || p.Scheme == "" {
		return u
	}
	p.User = nil
	return strings.Replace(p.String(), "://", "://***@", 1)
}
