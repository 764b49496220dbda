// Package dir is a source backed by a local directory instead of Git: what
// `plumb diff --local` plans from (a pull request's checkout, before it is
// merged). The directory is read as it is; its "revision" is a hash of its
// content.
package dir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"plumb.dev/plumb"
)

// Source reads desired state from a directory.
type Source struct {
	root string
	rev  string
}

// New returns a source for the directory root. Its one revision is
// "local-" and a hash of the directory's content, so that caches keyed on
// revisions never mix two directories.
func New(ctx context.Context, root string) (*Source, error) {
	s := &Source{root: root}
	h, err := s.TreeHash(ctx, "", ".")
	if err != nil {
		return nil, err
	}
	s.rev = "local-" + h[:16]
	return s, nil
}

// Fetch reports the directory as one revision.
func (s *Source) Fetch(ctx context.Context) (plumb.Commit, error) { return s.Resolve(ctx) }

// Resolve reports the directory as one revision.
func (s *Source) Resolve(context.Context) (plumb.Commit, error) {
	return plumb.Commit{Revision: s.rev, Message: "local directory"}, nil
}

// Commit answers for the one revision there is.
func (s *Source) Commit(ctx context.Context, rev string) (plumb.Commit, error) {
	if rev != s.rev {
		return plumb.Commit{}, fmt.Errorf("local directory has no revision %q", rev)
	}
	return s.Resolve(ctx)
}

// TreeHash hashes the names, modes and contents under p.
func (s *Source) TreeHash(ctx context.Context, _ string, p string) (string, error) {
	files, err := s.ReadTree(ctx, "", p)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00", f.Path, f.Mode, len(f.Data))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ReadTree returns the regular files and symlinks under p, relative to p,
// sorted; .git is skipped.
func (s *Source) ReadTree(ctx context.Context, _ string, p string) ([]plumb.File, error) {
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	base := path.Clean(strings.TrimPrefix(filepath.ToSlash(p), "/"))
	if base == ".." || strings.HasPrefix(base, "../") {
		return nil, fmt.Errorf("path %q leaves the directory", p)
	}
	var out []plumb.File
	err = fs.WalkDir(root.FS(), base, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		f, ok, err := readEntry(root, name, d)
		if err != nil || !ok {
			return err
		}
		f.Path = strings.TrimPrefix(strings.TrimPrefix(name, base), "/")
		if base == "." {
			f.Path = name
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(s.root, p), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func readEntry(root *os.Root, name string, d fs.DirEntry) (plumb.File, bool, error) {
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		target, err := root.Readlink(name)
		return plumb.File{Mode: fs.ModeSymlink | 0o777, Data: []byte(target)}, err == nil, err
	case !d.Type().IsRegular():
		return plumb.File{}, false, nil
	}
	f, err := root.Open(name)
	if err != nil {
		return plumb.File{}, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return plumb.File{}, false, err
	}
	b, err := io.ReadAll(f)
	return plumb.File{Mode: info.Mode().Perm(), Data: b}, err == nil, err
}

// Export copies the directory into dir.
func (s *Source) Export(ctx context.Context, _ string, dir string) error {
	files, err := s.ReadTree(ctx, "", ".")
	if err != nil {
		return err
	}
	for _, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if f.Mode&fs.ModeSymlink != 0 {
			if err := os.Symlink(string(f.Data), dst); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(dst, f.Data, f.Mode.Perm()); err != nil {
			return err
		}
	}
	return nil
}
