package git

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strings"

	"plumb.dev/plumb/internal/config"
)

// credentialHelper answers git's "get" with the username and password from
// the environment, so that neither is on argv or in the URL.
const credentialHelper = `!f() { test "$1" = get || exit 0; ` +
	`printf 'username=%s\npassword=%s\n' "$PLUMB_GIT_USERNAME" "$PLUMB_GIT_PASSWORD"; }; f`

// auth is what one fetch hands to git for authentication.
type auth struct {
	env     []string
	config  [][2]string
	secrets []string
	cleanup func()
}

// loadAuth reads the source's credentials from their files (at every fetch,
// so rotated tokens are picked up) and turns them into git environment.
func (r *Repo) loadAuth() (*auth, error) { return newAuth(r.spec.URL, r.spec.Auth) }

func newAuth(u string, spec *config.GitAuth) (*auth, error) {
	a := &auth{cleanup: func() {}}
	if isSSH(u) {
		return a, a.ssh(spec)
	}
	if spec == nil || (spec.PasswordFile == "" && spec.Username == "" && spec.UsernameFile == "") {
		return a, nil
	}
	return a, a.https(spec)
}

// Credentials is how a git process authenticates to a remote: environment
// to add (a credential helper reading the secret from the environment, or
// a strict ssh command), the secrets to scrub from its output, and a
// cleanup of temporary files. Code that runs git against a remote other
// than through Repo (e.g. pushes) uses it, so there is one auth path.
type Credentials struct {
	Env     []string
	Secrets []string
	Cleanup func()
}

// LoadCredentials reads the credentials for the remote url from the files
// spec names (nil: none).
func LoadCredentials(url string, spec *config.GitAuth) (Credentials, error) {
	a, err := newAuth(url, spec)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{Env: append(configEnv(a.config), a.env...), Secrets: a.secrets, Cleanup: a.cleanup}, nil
}

// Scrub removes secrets, URL userinfo and Authorization header values from
// git output.
func Scrub(s string, secrets []string) string { return scrub(s, secrets) }

// RedactURL hides the userinfo of a URL (an SSH username is kept).
func RedactURL(u string) string { return redactURL(u) }

// https sets up the credential helper.
func (a *auth) https(spec *config.GitAuth) error {
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
		// Token-only hosts accept any username with a token as password.
		user = "git"
	}
	a.env = []string{"PLUMB_GIT_USERNAME=" + user, "PLUMB_GIT_PASSWORD=" + pass}
	a.config = [][2]string{{"credential.helper", ""}, {"credential.helper", credentialHelper}}
	a.secrets = []string{pass, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
	return nil
}

// ssh sets GIT_SSH_COMMAND: strict host key checking against the known
// hosts file (none given: every host is unknown), only the given key.
func (a *auth) ssh(spec *config.GitAuth) error {
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
		copied, err := privateCopy(key)
		if err != nil {
			return err
		}
		a.cleanup = func() { _ = os.Remove(copied) }
		args = append(args, "-i", shellQuote(copied))
	}
	a.env = []string{"GIT_SSH_COMMAND=" + strings.Join(args, " "), "GIT_SSH_VARIANT=ssh"}
	return nil
}

// privateCopy copies the private key to a 0600 temporary file: ssh refuses
// keys that others can read, as mounted secrets often are.
func privateCopy(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read private key file: %w", err)
	}
	f, err := os.CreateTemp("", "plumb-ssh-key-*")
	if err != nil {
		return "", fmt.Errorf("copy private key: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("copy private key: %w", err)
	}
	return f.Name(), nil
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

// redactURL hides any userinfo in u (a token often is the username), but
// keeps an SSH URL's username, which is no secret.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil || p.Scheme == "" {
		return u
	}
	if _, hasPassword := p.User.Password(); isSSH(u) && !hasPassword {
		return u
	}
	p.User = nil
	return strings.Replace(p.String(), "://", "://***@", 1)
}
