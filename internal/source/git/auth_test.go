package git_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/gittest"
	"plumb.dev/plumb/internal/source/git"
)

const password = "hunter2-Sup3rSecret-token"

func TestHTTPBasicAuth(t *testing.T) {
	repo, srv := served(t, gittest.WithBasicAuth("alice", password))
	want := repo.Head()
	good := writeSecret(t, "password", password+"\n")
	bad := writeSecret(t, "bad", "not-"+password+"\n")
	userFile := writeSecret(t, "username", "alice\n")

	tests := []struct {
		name string
		auth *config.GitAuth
		kind error
	}{
		{"username and password file", &config.GitAuth{Username: "alice", PasswordFile: good}, nil},
		{"username file", &config.GitAuth{UsernameFile: userFile, PasswordFile: good}, nil},
		{"wrong password", &config.GitAuth{Username: "alice", PasswordFile: bad}, git.ErrAuth},
		{"wrong username", &config.GitAuth{Username: "bob", PasswordFile: good}, git.ErrAuth},
		{"no credentials", nil, git.ErrAuth},
		{"missing password file", &config.GitAuth{Username: "alice", PasswordFile: good + ".missing"}, git.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, srv.URL(), func(s *config.GitSource) { s.Auth = tt.auth })
			c, err := src.Fetch(context.Background())
			assertNoSecret(t, err, password)
			if tt.kind == nil {
				if err != nil || c.Revision != want {
					t.Fatalf("Fetch = %s, %v; want %s", c.Revision, err, want)
				}
				assertMirrorHasNoSecret(t, src.Dir(), password)
				return
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Fetch: %v, want %v", err, tt.kind)
			}
			golden(t, "http-"+tt.name, err)
		})
	}
}

func TestSSH(t *testing.T) {
	repo, srv := served(t)
	want := repo.Head()
	sshSrv := gittest.ServeSSH(t, srv.BareDir())
	wrongHosts := writeSecret(t, "wrong_known_hosts", otherHostKeyLine(t, sshSrv.Addr())+"\n")
	other := gittest.ServeSSH(t, srv.BareDir())

	tests := []struct {
		name string
		auth *config.GitAuth
		kind error
	}{
		{"known host", &config.GitAuth{PrivateKeyFile: sshSrv.ClientKeyFile(), KnownHostsFile: sshSrv.KnownHostsFile()}, nil},
		{"wrong host key", &config.GitAuth{PrivateKeyFile: sshSrv.ClientKeyFile(), KnownHostsFile: wrongHosts}, git.ErrHostKey},
		{"no known hosts", &config.GitAuth{PrivateKeyFile: sshSrv.ClientKeyFile()}, git.ErrHostKey},
		{"unknown client key", &config.GitAuth{PrivateKeyFile: other.ClientKeyFile(), KnownHostsFile: sshSrv.KnownHostsFile()}, git.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, sshSrv.URL(), func(s *config.GitSource) { s.Auth = tt.auth })
			before := sshSrv.Sessions()
			c, err := src.Fetch(context.Background())
			if tt.kind == nil {
				if err != nil || c.Revision != want {
					t.Fatalf("Fetch = %s, %v; want %s", c.Revision, err, want)
				}
				if sshSrv.Sessions() == before {
					t.Fatal("Fetch succeeded without an SSH session")
				}
				return
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Fetch: %v, want %v", err, tt.kind)
			}
			golden(t, "ssh-"+tt.name, err)
		})
	}
}

// otherHostKeyLine is a known_hosts line for addr with a key the server
// does not have.
func otherHostKeyLine(t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	bare := filepath.Join(dir, "x.git")
	if err := os.Mkdir(bare, 0o755); err != nil {
		t.Fatal(err)
	}
	other := gittest.ServeSSH(t, bare)
	fields := strings.Fields(other.HostKeyLine())
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(fields[1] + " " + fields[2]))
	if err != nil {
		t.Fatal(err)
	}
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)
}

// assertNoSecret fails if secret appears in err or anything it wraps.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	for e := range unwrapAll(err) {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("error leaks the secret: %v", e)
		}
	}
}

func unwrapAll(err error) func(func(error) bool) {
	return func(yield func(error) bool) {
		var walk func(error) bool
		walk = func(e error) bool {
			if e == nil {
				return true
			}
			if !yield(e) {
				return false
			}
			switch u := e.(type) {
			case interface{ Unwrap() error }:
				return walk(u.Unwrap())
			case interface{ Unwrap() []error }:
				for _, x := range u.Unwrap() {
					if !walk(x) {
						return false
					}
				}
			}
			return true
		}
		walk(err)
	}
}

// assertMirrorHasNoSecret fails if any file of the mirror holds secret.
func assertMirrorHasNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), secret) {
			t.Errorf("mirror file %s holds the secret", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
