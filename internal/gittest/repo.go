package gittest

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TB is the part of testing.TB a Repo needs. Programs that are not tests
// pass Fatal.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Fatal is a TB for programs that are not tests: Fatalf logs and exits.
var Fatal TB = fatalTB{}

type fatalTB struct{}

func (fatalTB) Helper()                           {}
func (fatalTB) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

// Repo is a non-bare work repository made with the git binary. Its methods
// fail the test (call TB.Fatalf) on error.
type Repo struct {
	tb      TB
	dir     string
	commits int
	server  *Server
}

// NewRepo makes an empty work repository (branch main) in t.TempDir().
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	return InitRepo(t, t.TempDir())
}

// InitRepo makes an empty work repository (branch main) in dir, which is
// created if needed.
func InitRepo(tb TB, dir string) *Repo {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("gittest: %v", err)
	}
	r := &Repo{tb: tb, dir: dir}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Dir returns the work tree's directory.
func (r *Repo) Dir() string { return r.dir }

// Git runs git with args in the work tree and returns its trimmed stdout.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	when := BaseTime.Add(time.Duration(r.commits) * time.Second).Format(time.RFC3339)
	out, err := runGit(r.dir, Env(
		"GIT_AUTHOR_NAME="+AuthorName, "GIT_AUTHOR_EMAIL="+AuthorEmail, "GIT_AUTHOR_DATE="+when,
		"GIT_COMMITTER_NAME="+AuthorName, "GIT_COMMITTER_EMAIL="+AuthorEmail, "GIT_COMMITTER_DATE="+when,
	), args...)
	if err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
	return out
}

// WriteFile writes content to path (slash-separated, relative to the work
// tree) with mode 0644, creating parent directories.
func (r *Repo) WriteFile(path, content string) {
	r.tb.Helper()
	r.WriteFileMode(path, content, 0o644)
}

// WriteFileMode writes content to path with mode.
func (r *Repo) WriteFileMode(path, content string, mode fs.FileMode) {
	r.tb.Helper()
	full := r.path(path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
	if err := os.Chmod(full, mode); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
}

// Symlink makes path a symbolic link to target.
func (r *Repo) Symlink(target, path string) {
	r.tb.Helper()
	full := r.path(path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
	if err := os.Symlink(target, full); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
}

// Remove removes path (a file or a directory tree) from the work tree.
func (r *Repo) Remove(path string) {
	r.tb.Helper()
	if err := os.RemoveAll(r.path(path)); err != nil {
		r.tb.Fatalf("gittest: %v", err)
	}
}

// Commit stages every change (git add -A) and commits it, even when nothing
// changed. It returns the full commit ID.
func (r *Repo) Commit(msg string) string {
	r.tb.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "--no-verify", "-m", msg)
	r.commits++
	return r.Head()
}

// Head returns the full ID of the checked-out commit.
func (r *Repo) Head() string {
	r.tb.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Tag makes a lightweight tag name at HEAD (moving it if it exists).
func (r *Repo) Tag(name string) {
	r.tb.Helper()
	r.Git("tag", "-f", name)
}

// AnnotatedTag makes an annotated tag name at HEAD.
func (r *Repo) AnnotatedTag(name, msg string) {
	r.tb.Helper()
	r.Git("tag", "-f", "-a", "-m", msg, name)
}

// DeleteTag deletes the tag name.
func (r *Repo) DeleteTag(name string) {
	r.tb.Helper()
	r.Git("tag", "-d", name)
}

// Branch makes branch name at HEAD without checking it out.
func (r *Repo) Branch(name string) {
	r.tb.Helper()
	r.Git("branch", "-f", name)
}

// DeleteBranch deletes branch name.
func (r *Repo) DeleteBranch(name string) {
	r.tb.Helper()
	r.Git("branch", "-D", name)
}

// Checkout checks out branch, creating it at HEAD if it does not exist.
func (r *Repo) Checkout(branch string) {
	r.tb.Helper()
	if _, err := runGit(r.dir, Env(), "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err != nil {
		r.Git("checkout", "-q", "-b", branch)
		return
	}
	r.Git("checkout", "-q", branch)
}

// Push force-pushes every branch and tag to the server the repo is served
// by (over HTTP, with the server's credentials), deleting branches and tags
// that no longer exist here.
func (r *Repo) Push() {
	r.tb.Helper()
	if r.server == nil {
		r.tb.Fatalf("gittest: Push: repo %s is not served", r.dir)
	}
	r.Git("push", "-q", "--force", "--prune", "origin",
		"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
}

// setOrigin points origin at srv, with its credentials as an extra header
// so that they stay out of the URL.
func (r *Repo) setOrigin(srv *Server) error {
	r.server = srv
	env := Env()
	_, _ = runGit(r.dir, env, "remote", "remove", "origin")
	if _, err := runGit(r.dir, env, "remote", "add", "origin", srv.URL()); err != nil {
		return err
	}
	if srv.opts.Username == "" && srv.opts.Password == "" {
		return nil
	}
	auth := base64.StdEncoding.EncodeToString([]byte(srv.opts.Username + ":" + srv.opts.Password))
	_, err := runGit(r.dir, env, "config", "http.extraHeader", "Authorization: Basic "+auth)
	return err
}

func (r *Repo) path(p string) string {
	if filepath.IsAbs(p) {
		r.tb.Fatalf("gittest: path %q must be relative", p)
	}
	return filepath.Join(r.dir, filepath.FromSlash(p))
}

// String returns the work tree's directory.
func (r *Repo) String() string { return fmt.Sprintf("gittest.Repo(%s)", r.dir) }
