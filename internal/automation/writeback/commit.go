package writeback

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	srcgit "plumb.dev/plumb/internal/source/git"

	"plumb.dev/plumb"
)

// ErrRejected marks a push the remote refused because the branch moved
// since it was fetched (the lease failed).
var ErrRejected = errors.New("push rejected: the branch moved")

// Commit makes ch's change on the newest commit of ch.Branch and pushes
// it. It returns a Result without Revision when Edit changed nothing. A
// push that loses a race is retried on the new head, up to w.Attempts
// times; any other failure (fetch, edit, push refused or unreachable) is
// returned and nothing was pushed.
func (w *Writer) Commit(ctx context.Context, remote Remote, ch Change) (Result, error) {
	if ch.Branch == "" || ch.Edit == nil {
		return Result{}, errors.New("writeback: a change needs a branch and an edit")
	}
	if ch.PushBranch == "" {
		ch.PushBranch = ch.Branch
	}
	m, err := w.lock(remote)
	if err != nil {
		return Result{}, err
	}
	defer m.mu.Unlock()
	res := Result{Branch: ch.PushBranch}
	attempts := max(w.Attempts, 1)
	for res.Attempts < attempts {
		res.Attempts++
		err = w.attempt(ctx, m, ch, &res)
		if !errors.Is(err, ErrRejected) {
			return res, err
		}
	}
	return res, fmt.Errorf("push to %s of %s: gave up after %d attempts: %w", ch.PushBranch, srcgit.RedactURL(remote.URL), attempts, err)
}

// attempt fetches, edits, commits and pushes once.
func (w *Writer) attempt(ctx context.Context, m *mirror, ch Change, res *Result) error {
	repo, err := m.source(ch.Branch)
	if err != nil {
		return fmt.Errorf("writeback: %w", err)
	}
	base, err := repo.Fetch(ctx)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", ch.Branch, err)
	}
	res.Base, res.Revision, res.Message, res.UpToDate, res.Files = base.Revision, "", "", false, nil
	lease := base.Revision
	if ch.PushBranch != ch.Branch {
		lease = ""
		if c, err := repo.Commit(ctx, "refs/heads/"+ch.PushBranch); err == nil {
			lease = c.Revision
		}
	}
	wt, err := m.worktree(ctx, w.dir, base.Revision)
	if err != nil {
		return err
	}
	defer m.removeWorktree(wt)
	msg, err := ch.Edit(ctx, wt, base.Revision)
	if err != nil || strings.TrimSpace(msg) == "" {
		return err
	}
	sha, err := commitAll(ctx, wt, ch.Author, msg)
	if err != nil || sha == "" {
		return err
	}
	res.Message = strings.TrimSpace(msg)
	if res.Files, err = changedFiles(ctx, wt, base.Revision, sha); err != nil {
		return err
	}
	if ch.DryRun {
		res.Revision, res.DryRun = sha, true
		return nil
	}
	if lease != "" && lease != base.Revision && sameChange(ctx, m.dir, lease, sha, base.Revision) {
		res.Revision, res.UpToDate = lease, true
		return nil
	}
	if err := m.push(ctx, sha, ch.PushBranch, lease); err != nil {
		return err
	}
	res.Revision = sha
	return nil
}

// worktree checks rev out into a new directory under dir.
func (m *mirror) worktree(ctx context.Context, dir, rev string) (string, error) {
	wt, err := os.MkdirTemp(dir, "work-")
	if err != nil {
		return "", fmt.Errorf("writeback: worktree: %w", err)
	}
	if _, err := run(ctx, gitCmd{gitDir: m.dir, args: []string{"worktree", "add", "--quiet", "--detach", "--force", wt, rev}}); err != nil {
		_ = os.RemoveAll(wt)
		return "", fmt.Errorf("writeback: check out %s: %w", plumb.Short(rev), err)
	}
	return wt, nil
}

// removeWorktree drops a worktree and its directory.
func (m *mirror) removeWorktree(wt string) {
	ctx := context.Background()
	_, _ = run(ctx, gitCmd{gitDir: m.dir, args: []string{"worktree", "remove", "--force", wt}})
	_ = os.RemoveAll(wt)
	_, _ = run(ctx, gitCmd{gitDir: m.dir, args: []string{"worktree", "prune"}})
}

// commitAll commits every change in the worktree and returns the new
// commit, or "" when nothing changed.
func commitAll(ctx context.Context, wt string, a Author, msg string) (string, error) {
	if _, err := run(ctx, gitCmd{dir: wt, args: []string{"add", "--all"}}); err != nil {
		return "", fmt.Errorf("writeback: stage: %w", err)
	}
	if _, err := run(ctx, gitCmd{dir: wt, args: []string{"diff", "--cached", "--quiet"}}); err == nil {
		return "", nil
	}
	env := []string{"GIT_AUTHOR_NAME=" + a.Name, "GIT_AUTHOR_EMAIL=" + a.Email,
		"GIT_COMMITTER_NAME=" + a.Name, "GIT_COMMITTER_EMAIL=" + a.Email}
	c := gitCmd{dir: wt, env: env, stdin: strings.NewReader(msg),
		args: []string{"-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--cleanup=strip", "--file=-"}}
	if _, err := run(ctx, c); err != nil {
		return "", fmt.Errorf("writeback: commit: %w", err)
	}
	sha, err := run(ctx, gitCmd{dir: wt, args: []string{"rev-parse", "HEAD"}})
	if err != nil {
		return "", fmt.Errorf("writeback: commit: %w", err)
	}
	return sha, nil
}

// sameChange reports whether tip is base plus a commit with sha's tree:
// the push branch already holds the change.
func sameChange(ctx context.Context, gitDir, tip, sha, base string) bool {
	out, err := run(ctx, gitCmd{gitDir: gitDir, args: []string{"rev-parse", tip + "^", tip + "^{tree}", sha + "^{tree}"}})
	if err != nil {
		return false
	}
	f := strings.Fields(out)
	return len(f) == 3 && f[0] == base && f[1] == f[2]
}

// rejections are git's words for a push that lost a race.
var rejections = []string{"stale info", "fetch first", "non-fast-forward", "cannot lock ref", "already exists"}

// push pushes sha to branch, leased on the branch being at lease ("" for
// a branch that must not exist yet).
func (m *mirror) push(ctx context.Context, sha, branch, lease string) error {
	a, err := srcgit.LoadCredentials(m.remote.URL, m.remote.Auth)
	if err != nil {
		return fmt.Errorf("push to %s: %w", branch, err)
	}
	defer a.Cleanup()
	ref := "refs/heads/" + branch
	c := gitCmd{gitDir: m.dir, env: a.Env, secrets: a.Secrets, args: []string{"push", "--no-progress",
		"--force-with-lease=" + ref + ":" + lease, "--", m.remote.URL, sha + ":" + ref}}
	if _, err := run(ctx, c); err != nil {
		var ge *GitError
		if errors.As(err, &ge) && containsAny(strings.ToLower(ge.Stderr), rejections) {
			return fmt.Errorf("push to %s: %w", branch, ErrRejected)
		}
		return fmt.Errorf("push to %s of %s: %w", branch, srcgit.RedactURL(m.remote.URL), err)
	}
	return nil
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// changedFiles lists the paths that differ between two commits.
func changedFiles(ctx context.Context, wt, from, to string) ([]string, error) {
	out, err := run(ctx, gitCmd{dir: wt, args: []string{"diff", "--name-only", "--no-renames", "-z", from, to}})
	if err != nil {
		return nil, fmt.Errorf("writeback: list changes: %w", err)
	}
	return strings.FieldsFunc(out, func(r rune) bool { return r == 0 }), nil
}
