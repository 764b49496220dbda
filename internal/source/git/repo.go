// Package git is the Git source: it keeps a persistent bare mirror of a
// remote repository per source, fetches it incrementally with the git
// binary, resolves the configured ref (branch, tag, semver range over tags,
// pinned commit) and reads trees out of the mirror without a work tree.
//
// Credentials are read from files at every fetch and handed to git through
// its environment (a credential helper for HTTPS, GIT_SSH_COMMAND for SSH),
// never through the URL or argv, and they are scrubbed from every error.
//
// Trees are read as Git stores them: regular files with mode 0644 or 0755,
// symbolic links as files whose Mode has fs.ModeSymlink and whose Data is
// the link target. Submodules (gitlinks) are skipped without error: their
// content lives in another repository.
//
// A Repo is safe for concurrent use; fetches are serialized, and reads run
// concurrently with a fetch.
package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/Masterminds/semver/v3"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/source"
)

var _ source.Source = (*Repo)(nil)

// Repo is one Git source: a remote and the bare mirror it is fetched into.
type Repo struct {
	name       string
	spec       config.GitSource
	dir        string
	constraint *semver.Constraints

	fetchMu sync.Mutex
}

// New returns the source name for spec, mirrored into dir. The mirror is
// created on the first Fetch and reused afterwards, also by a later New on
// the same dir.
func New(name string, spec config.GitSource, dir string) (*Repo, error) {
	if spec.URL == "" {
		return nil, fmt.Errorf("git source %s: url is empty", name)
	}
	if err := checkRefs(spec); err != nil {
		return nil, fmt.Errorf("git source %s: %w", name, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("git source %s: mirror dir: %w", name, err)
	}
	r := &Repo{name: name, spec: spec, dir: abs}
	if spec.Semver != "" {
		if r.constraint, err = semver.NewConstraint(spec.Semver); err != nil {
			return nil, fmt.Errorf("git source %s: semver %q: %w", name, spec.Semver, err)
		}
	}
	if r.spec.Branch == "" && spec.Tag == "" && spec.Semver == "" && spec.Commit == "" {
		r.spec.Branch = config.DefaultBranch
	}
	return r, nil
}

// checkRefs ensures at most one of branch, tag, semver and commit is set.
func checkRefs(spec config.GitSource) error {
	n := 0
	for _, v := range []string{spec.Branch, spec.Tag, spec.Semver, spec.Commit} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return errors.New("set only one of branch, tag, semver and commit")
	}
	return nil
}

// Name returns the source's name.
func (r *Repo) Name() string { return r.name }

// Dir returns the mirror's directory.
func (r *Repo) Dir() string { return r.dir }

// mirrorConfig is set in the mirror when it is created: no background or
// detached work that could outlive a call, no reflogs.
var mirrorConfig = [][2]string{
	{"core.logAllRefUpdates", "false"},
	{"gc.autoDetach", "false"},
	{"maintenance.autoDetach", "false"},
	{"fetch.recurseSubmodules", "false"},
}

// ensureMirror creates the bare mirror in r.dir unless it exists.
func (r *Repo) ensureMirror(ctx context.Context) error {
	if r.hasMirror() {
		return nil
	}
	if entries, err := os.ReadDir(r.dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("mirror %s: directory is not empty and not a bare git repository", r.dir)
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return fmt.Errorf("mirror %s: %w", r.dir, err)
	}
	if _, err := r.run(ctx, cmd{args: []string{"init", "--bare", "--quiet", r.dir}}); err != nil {
		return fmt.Errorf("mirror %s: %w", r.dir, err)
	}
	for _, kv := range mirrorConfig {
		if _, err := r.git(ctx, "config", kv[0], kv[1]); err != nil {
			return fmt.Errorf("mirror %s: %w", r.dir, err)
		}
	}
	return nil
}

// hasMirror reports whether r.dir holds a bare repository.
func (r *Repo) hasMirror() bool {
	for _, p := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(r.dir, p)); err != nil {
			return false
		}
	}
	return true
}
