package git

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"plumb.dev/plumb"
)

// cleanPath normalizes an app path: slash-separated, relative to the
// repository root, "" for the root. Paths leaving the root are refused.
func cleanPath(p string) (string, error) {
	for part := range strings.SplitSeq(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q leaves the repository", p)
		}
	}
	return strings.TrimPrefix(path.Clean("/"+p), "/"), nil
}

// TreeHash returns the object ID of the tree (or blob) at path in rev; ""
// is the root tree. It changes exactly when something under path changes.
// A missing path is a *PathNotFoundError.
func (r *Repo) TreeHash(ctx context.Context, rev, p string) (string, error) {
	clean, err := cleanPath(p)
	if err != nil {
		return "", fmt.Errorf("source %s: %w", r.name, err)
	}
	if rev == "" || !r.hasMirror() {
		return "", &RevisionNotFoundError{Source: r.name, Rev: rev}
	}
	hash, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}:"+clean)
	if err == nil {
		return hash, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("source %s: tree hash of %q: %w", r.name, p, ctx.Err())
	}
	// Tell a missing revision from a missing path.
	sha, err := r.commitID(ctx, rev)
	if err != nil {
		return "", err
	}
	return "", &PathNotFoundError{Source: r.name, Path: clean, Rev: sha}
}

// ReadTree returns every file under path at rev, recursively, with paths
// relative to path (a path naming a file yields that file under its base
// name). Submodules are skipped; symbolic links are returned with
// fs.ModeSymlink and the link target as Data.
func (r *Repo) ReadTree(ctx context.Context, rev, p string) ([]plumb.File, error) {
	var files []plumb.File
	err := r.walk(ctx, rev, p, func(f plumb.File) error {
		files = append(files, f)
		return nil
	})
	return files, err
}

// entry is one line of git ls-tree.
type entry struct {
	mode fs.FileMode
	oid  string
	path string // relative to the walked path
}

// walk calls fn for every file under p at rev, in Git's order, reading
// all contents through one git cat-file --batch process.
func (r *Repo) walk(ctx context.Context, rev, p string, fn func(plumb.File) error) error {
	sha, err := r.commitID(ctx, rev)
	if err != nil {
		return err
	}
	clean, err := cleanPath(p)
	if err != nil {
		return fmt.Errorf("source %s: %w", r.name, err)
	}
	entries, err := r.listTree(ctx, sha, clean)
	if err != nil {
		return err
	}
	if err := r.catFiles(ctx, entries, fn); err != nil {
		return fmt.Errorf("source %s: read %q at %s: %w", r.name, clean, plumb.Short(sha), err)
	}
	return nil
}

// listTree lists the blobs under p at commit sha.
func (r *Repo) listTree(ctx context.Context, sha, p string) ([]entry, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", sha}
	if p != "" {
		args = append(args, "--", p)
	}
	out, err := r.run(ctx, cmd{args: args, mirror: true})
	if err != nil {
		return nil, fmt.Errorf("source %s: list %q at %s: %w", r.name, p, plumb.Short(sha), err)
	}
	var entries []entry
	found := false
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		e, ok, err := parseEntry(string(rec), p)
		if err != nil {
			return nil, fmt.Errorf("source %s: list %q at %s: %w", r.name, p, plumb.Short(sha), err)
		}
		found = found || ok
		if ok && e.mode != 0 {
			entries = append(entries, e)
		}
	}
	if !found && p != "" {
		return nil, &PathNotFoundError{Source: r.name, Path: p, Rev: sha}
	}
	return entries, nil
}

// parseEntry parses "<mode> <type> <oid>\t<path>". ok is false for records
// outside prefix; mode is 0 for entries that are skipped (submodules).
func parseEntry(rec, prefix string) (e entry, ok bool, err error) {
	if rec == "" {
		return entry{}, false, nil
	}
	meta, full, found := strings.Cut(rec, "\t")
	fields := strings.Fields(meta)
	if !found || len(fields) != 3 {
		return entry{}, false, fmt.Errorf("unexpected ls-tree record %q", rec)
	}
	switch {
	case prefix == "":
		e.path = full
	case full == prefix:
		e.path = path.Base(full)
	case strings.HasPrefix(full, prefix+"/"):
		e.path = strings.TrimPrefix(full, prefix+"/")
	default:
		return entry{}, false, nil
	}
	e.oid = fields[2]
	switch fields[0] {
	case "100755":
		e.mode = 0o755
	case "120000":
		e.mode = fs.ModeSymlink | 0o777
	case "160000":
		e.mode = 0 // submodule: content lives elsewhere
	default:
		e.mode = 0o644
	}
	return e, true, nil
}
