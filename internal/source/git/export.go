package git

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"plumb.dev/plumb"
)

// Export writes the whole tree at rev into dir, for renderers that need a
// filesystem. It writes into a temporary sibling directory and renames it
// into place, so dir holds either the old or the complete new tree.
// Symbolic links are written as links; submodules are left out.
func (r *Repo) Export(ctx context.Context, rev, dir string) error {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("export %s at %s: %w", r.name, rev, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("export %s at %s: %w", r.name, rev, err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("export %s at %s: %w", r.name, rev, err)
	}
	if err := r.walk(ctx, rev, "", func(f plumb.File) error { return writeFile(tmp, f) }); err != nil {
		return fmt.Errorf("export %s at %s: %w", r.name, rev, err)
	}
	if err := swapDir(tmp, dir); err != nil {
		return fmt.Errorf("export %s at %s: %w", r.name, rev, err)
	}
	return nil
}

// writeFile writes one file of the tree under root.
func writeFile(root string, f plumb.File) error {
	if !fs.ValidPath(f.Path) {
		return fmt.Errorf("refusing path %q", f.Path)
	}
	full := filepath.Join(root, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if f.Mode&fs.ModeSymlink != 0 {
		return os.Symlink(string(f.Data), full)
	}
	if err := os.WriteFile(full, f.Data, f.Mode.Perm()); err != nil {
		return err
	}
	return os.Chmod(full, f.Mode.Perm())
}

// swapDir replaces dir with tmp: the old dir is moved aside first and
// removed after the rename.
func swapDir(tmp, dir string) error {
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
