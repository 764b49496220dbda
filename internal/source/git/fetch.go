package git

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"plumb.dev/plumb"
)

// fetchRefspecs mirror every branch and tag; --prune drops the ones the
// remote deleted.
var fetchRefspecs = []string{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// pinnedRef keeps a pinned commit fetched by ID reachable in the mirror.
const pinnedRef = "refs/plumb/pinned"

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// Fetch updates the mirror from the remote (creating it on first use) and
// resolves the configured ref. Concurrent fetches are serialized.
func (r *Repo) Fetch(ctx context.Context) (plumb.Commit, error) {
	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	if err := r.ensureMirror(ctx); err != nil {
		return plumb.Commit{}, fmt.Errorf("fetch %s: %w", r.name, err)
	}
	if err := r.fetch(ctx, fetchRefspecs...); err != nil {
		return plumb.Commit{}, err
	}
	if err := r.fetchPinned(ctx); err != nil {
		return plumb.Commit{}, err
	}
	return r.Resolve(ctx)
}

// fetch runs one git fetch of refspecs from the remote with the source's
// credentials.
func (r *Repo) fetch(ctx context.Context, refspecs ...string) error {
	a, err := r.loadAuth()
	if err != nil {
		return &FetchError{Source: r.name, URL: redactURL(r.spec.URL), Kind: ErrAuth, Detail: err.Error(), Err: err}
	}
	defer a.cleanup()
	args := append([]string{"fetch", "--quiet", "--prune", "--force", "--no-tags",
		"--no-write-fetch-head", "--no-recurse-submodules", "--", r.spec.URL}, refspecs...)
	_, err = r.run(ctx, cmd{args: args, env: a.env, config: a.config, mirror: true})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("fetch %s (%s): %w", r.name, redactURL(r.spec.URL), ctx.Err())
	}
	return r.classify(err, a.secrets)
}

// fetchPinned fetches a pinned commit by ID when no branch or tag brought
// it, for servers that allow it. A commit that still is not there is
// reported by Resolve.
func (r *Repo) fetchPinned(ctx context.Context) error {
	if r.spec.Commit == "" || r.hasCommit(ctx, r.spec.Commit) || !fullSHA.MatchString(r.spec.Commit) {
		return nil
	}
	err := r.fetch(ctx, "+"+r.spec.Commit+":"+pinnedRef)
	if errors.Is(err, ErrFetch) || errors.Is(err, ErrNotFound) {
		return nil // the server refuses fetching by ID; Resolve says "not found"
	}
	return err
}

// hasCommit reports whether rev names a commit in the mirror.
func (r *Repo) hasCommit(ctx context.Context, rev string) bool {
	_, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	return err == nil
}
