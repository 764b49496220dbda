package git

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"plumb.dev/plumb"
)

// ErrNoMirror says Resolve ran before any Fetch created the mirror.
var ErrNoMirror = errors.New("no local mirror yet")

// Resolve resolves the configured ref in the mirror, without the network.
func (r *Repo) Resolve(ctx context.Context) (plumb.Commit, error) {
	if !r.hasMirror() {
		return plumb.Commit{}, fmt.Errorf("resolve %s: %w", r.name, ErrNoMirror)
	}
	rev, err := r.refRevision(ctx)
	if err != nil {
		return plumb.Commit{}, err
	}
	c, err := r.Commit(ctx, rev)
	var rnf *RevisionNotFoundError
	if errors.As(err, &rnf) {
		return plumb.Commit{}, &RefNotFoundError{Source: r.name, Ref: r.describeRef()}
	}
	return c, err
}

// refRevision returns the revision the configured ref names.
func (r *Repo) refRevision(ctx context.Context) (string, error) {
	switch {
	case r.spec.Commit != "":
		return r.spec.Commit, nil
	case r.spec.Tag != "":
		return "refs/tags/" + r.spec.Tag, nil
	case r.spec.Semver != "":
		return r.highestTag(ctx)
	default:
		return "refs/heads/" + r.spec.Branch, nil
	}
}

// describeRef names the configured ref for errors.
func (r *Repo) describeRef() string {
	switch {
	case r.spec.Commit != "":
		return fmt.Sprintf("commit %q", r.spec.Commit)
	case r.spec.Tag != "":
		return fmt.Sprintf("tag %q", r.spec.Tag)
	case r.spec.Semver != "":
		return fmt.Sprintf("tag matching semver %q", r.spec.Semver)
	default:
		return fmt.Sprintf("branch %q", r.spec.Branch)
	}
}

// highestTag returns the highest tag (v1.2.3 or 1.2.3) matching the semver
// constraint; tags that are not versions are ignored.
func (r *Repo) highestTag(ctx context.Context) (string, error) {
	out, err := r.git(ctx, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags")
	if err != nil {
		return "", fmt.Errorf("resolve %s: list tags: %w", r.name, err)
	}
	var best *semver.Version
	bestTag := ""
	for tag := range strings.SplitSeq(out, "\n") {
		v, err := semver.NewVersion(tag)
		if err != nil || !r.constraint.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) || (v.Equal(best) && strings.HasPrefix(tag, "v")) {
			best, bestTag = v, tag
		}
	}
	if best == nil {
		return "", &RefNotFoundError{Source: r.name, Ref: r.describeRef()}
	}
	return "refs/tags/" + bestTag, nil
}

// commitFormat separates the fields of git log with NUL.
const commitFormat = "--format=%H%x00%an%x00%ae%x00%ct%x00%B"

// Commit returns the metadata of rev (a commit ID, possibly short, a tag or
// a branch) in the mirror.
func (r *Repo) Commit(ctx context.Context, rev string) (plumb.Commit, error) {
	if rev == "" || !r.hasMirror() {
		return plumb.Commit{}, &RevisionNotFoundError{Source: r.name, Rev: rev}
	}
	out, err := r.git(ctx, "log", "-1", "--no-show-signature", commitFormat, "--end-of-options", rev+"^{commit}", "--")
	if err != nil {
		if ctx.Err() != nil {
			return plumb.Commit{}, fmt.Errorf("source %s: read commit %q: %w", r.name, rev, ctx.Err())
		}
		return plumb.Commit{}, &RevisionNotFoundError{Source: r.name, Rev: rev}
	}
	return parseCommit(out)
}

// parseCommit parses commitFormat's output.
func parseCommit(out string) (plumb.Commit, error) {
	f := strings.SplitN(out, "\x00", 5)
	if len(f) != 5 {
		return plumb.Commit{}, fmt.Errorf("unexpected git log output %q", out)
	}
	secs, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil {
		return plumb.Commit{}, fmt.Errorf("commit %s: time %q: %w", plumb.Short(f[0]), f[3], err)
	}
	return plumb.Commit{Revision: f[0], Author: f[1], Email: f[2], Time: time.Unix(secs, 0).UTC(),
		Message: strings.TrimSpace(f[4])}, nil
}

// commitID resolves rev to a full commit ID.
func (r *Repo) commitID(ctx context.Context, rev string) (string, error) {
	if rev == "" || !r.hasMirror() {
		return "", &RevisionNotFoundError{Source: r.name, Rev: rev}
	}
	sha, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("source %s: resolve %q: %w", r.name, rev, ctx.Err())
		}
		return "", &RevisionNotFoundError{Source: r.name, Rev: rev}
	}
	return sha, nil
}
