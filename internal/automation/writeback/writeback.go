// Package writeback is plumb's one way of writing to Git: it makes a commit
// in a scratch work tree of a local mirror and pushes it, so that nothing
// half-written ever reaches a remote. Image updates and promotions use it.
//
// A Writer keeps one bare mirror per remote (fetched with the Git source's
// own code, internal/source/git, so fetch auth and errors are the same) and,
// for each Commit, checks the base branch out into a fresh worktree, runs
// the caller's Edit there, commits as the given author and pushes with a
// lease: the push succeeds only if the remote branch is still where it was
// fetched. When someone else pushed in between, the Writer fetches again,
// checks out the new head and re-runs Edit on it (up to Attempts times), so
// an update is always re-applied on top of the newest commit, never forced
// over it. Credentials are read from files at each push and handed to git
// through its environment, never argv or the URL, and scrubbed from errors.
package writeback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/source/git"
)

// Remote is a Git repository written to: its URL and credentials (read
// from files, as a Source's).
type Remote struct {
	URL  string
	Auth *config.GitAuth
}

// RemoteOf returns the remote of a Git source.
func RemoteOf(s *config.Source) (Remote, error) {
	if s == nil || s.Git == nil {
		return Remote{}, errors.New("not a git source")
	}
	return Remote{URL: s.Git.URL, Auth: s.Git.Auth}, nil
}

// Author is who commits.
type Author struct {
	Name, Email string
}

// Edit changes files in the work tree dir (checked out at base, a full
// commit ID) and returns the commit message; "" means there is nothing to
// commit. It may run more than once, each time on a fresh checkout of a
// newer base.
type Edit func(ctx context.Context, dir, base string) (message string, err error)

// Change is one commit to make.
type Change struct {
	// Branch is checked out and the commit's parent.
	Branch string
	// PushBranch receives the commit (default Branch). When it differs,
	// it is reset to Branch plus the commit at each Change, unless it
	// already holds exactly that change.
	PushBranch string
	Author     Author
	Edit       Edit
	// DryRun makes the commit but does not push it.
	DryRun bool
}

// Result is what a Commit did.
type Result struct {
	// Revision is the pushed commit; "" when nothing changed.
	Revision string `json:"revision,omitempty"`
	// Base is the commit the change was made on.
	Base string `json:"base"`
	// Branch is the branch pushed to.
	Branch  string `json:"branch"`
	Message string `json:"message,omitempty"`
	// Attempts counts the pushes tried (more than 1 after races).
	Attempts int `json:"attempts"`
	// UpToDate says the push branch already held the change.
	UpToDate bool `json:"upToDate,omitempty"`
	// Files lists the paths the commit changed.
	Files []string `json:"files,omitempty"`
	// DryRun says the commit was made but not pushed.
	DryRun bool `json:"dryRun,omitempty"`
}

// Writer commits and pushes through mirrors under its directory. It is
// safe for concurrent use; changes to one remote are serialized.
type Writer struct {
	dir string
	// Attempts bounds how often a change is re-applied after losing a
	// push race (default 5).
	Attempts int

	mu      sync.Mutex
	mirrors map[string]*mirror
}

// mirror is one remote's local bare repository.
type mirror struct {
	mu     sync.Mutex // one change at a time
	dir    string
	remote Remote
}

// New returns a Writer keeping its mirrors and worktrees under dir.
func New(dir string) *Writer {
	return &Writer{dir: dir, Attempts: 5, mirrors: map[string]*mirror{}}
}

// lock returns the mirror of remote, made on first use, locked for one
// change; the caller unlocks it.
func (w *Writer) lock(remote Remote) (*mirror, error) {
	if remote.URL == "" {
		return nil, errors.New("writeback: remote URL is empty")
	}
	sum := sha256.Sum256([]byte(remote.URL))
	key := hex.EncodeToString(sum[:8])
	w.mu.Lock()
	m, ok := w.mirrors[key]
	if !ok {
		m = &mirror{dir: filepath.Join(w.dir, key+".git")}
		w.mirrors[key] = m
	}
	w.mu.Unlock()
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		return nil, fmt.Errorf("writeback: %w", err)
	}
	m.mu.Lock()
	m.remote = remote
	return m, nil
}

// source is the mirror as a Git source following branch.
func (m *mirror) source(branch string) (*git.Repo, error) {
	return git.New("writeback", config.GitSource{URL: m.remote.URL, Branch: branch, Auth: m.remote.Auth}, m.dir)
}
