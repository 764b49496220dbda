package kustomize

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// errReadOnly is returned by every write to the repository file system.
var errReadOnly = errors.New("the repository tree is read-only")

// OutsideError reports a path kustomize tried to read outside the repository.
type OutsideError struct{ Path string }

func (e *OutsideError) Error() string {
	return fmt.Sprintf("%s is outside the repository", e.Path)
}

// repoFS is the kustomize file system of one build: read-only and confined
// to the repository root. Paths are absolute (kustomize joins them onto
// confirmed directories); a path outside dir, or a symlink leading out of
// it, is an *OutsideError. Reads go through an os.Root, which refuses to
// follow symlinks out of the root even if a check here were missed.
type repoFS struct {
	dir     string // real absolute path of the repository root
	root    *os.Root
	overlay map[string][]byte // absolute path -> content served instead of the file
}

var _ filesys.FileSystem = (*repoFS)(nil)

// rel maps an absolute path to a path relative to the root, or fails if it
// lies outside.
func (f *repoFS) rel(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(f.dir, p)
	}
	r, err := filepath.Rel(f.dir, filepath.Clean(p))
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", &OutsideError{Path: filepath.Clean(p)}
	}
	return r, nil
}

// outside turns os.Root's escape error into an *OutsideError.
func (f *repoFS) outside(p string, err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return &OutsideError{Path: p}
	}
	return err
}

func (f *repoFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *repoFS) Mkdir(string) error                  { return errReadOnly }
func (f *repoFS) MkdirAll(string) error               { return errReadOnly }
func (f *repoFS) RemoveAll(string) error              { return errReadOnly }
func (f *repoFS) WriteFile(string, []byte) error      { return errReadOnly }

// Open opens a file for reading.
func (f *repoFS) Open(p string) (filesys.File, error) {
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	file, err := f.root.Open(r)
	return file, f.outside(p, err)
}

// ReadFile returns a file's content (or its overlay).
func (f *repoFS) ReadFile(p string) ([]byte, error) {
	if b, ok := f.overlay[filepath.Clean(p)]; ok {
		return b, nil
	}
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	b, err := f.root.ReadFile(r)
	return b, f.outside(p, err)
}

func (f *repoFS) stat(p string) (fs.FileInfo, error) {
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	fi, err := f.root.Stat(r)
	return fi, f.outside(p, err)
}

// IsDir reports whether p is a directory inside the repository.
func (f *repoFS) IsDir(p string) bool {
	fi, err := f.stat(p)
	return err == nil && fi.IsDir()
}

// Exists reports whether p exists inside the repository.
func (f *repoFS) Exists(p string) bool {
	_, err := f.stat(p)
	return err == nil
}

// ReadDir returns the names of a directory's entries.
func (f *repoFS) ReadDir(p string) ([]string, error) {
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(f.root.FS(), filepath.ToSlash(r))
	if err != nil {
		return nil, f.outside(p, err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// CleanedAbs resolves symlinks in p and splits it into a confirmed directory
// and a file name (empty when p is a directory), refusing anything that
// resolves outside the repository.
func (f *repoFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if _, err := f.rel(p); err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", abs, unwrapPath(err))
	}
	if _, err := f.rel(real); err != nil {
		return "", "", &OutsideError{Path: abs}
	}
	if f.IsDir(real) {
		return filesys.ConfirmedDir(real), "", nil
	}
	d := filepath.Dir(real)
	if !f.IsDir(d) {
		return "", "", fmt.Errorf("first part of %q is not a directory", abs)
	}
	return filesys.ConfirmedDir(d), filepath.Base(real), nil
}

// Glob returns the matches of pattern that lie inside the repository.
func (f *repoFS) Glob(pattern string) ([]string, error) {
	if _, err := f.rel(pattern); err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if _, err := f.stat(m); err == nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// Walk walks the tree at p without following symlinks.
func (f *repoFS) Walk(p string, fn filepath.WalkFunc) error {
	if _, err := f.rel(p); err != nil {
		return err
	}
	return filepath.Walk(p, fn)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
