package files

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// removeFile deletes an owned file (or symlink) and reports whether it was
// there. A directory found at its place is left alone.
func removeFile(t tree, p string) (bool, error) {
	fi, err := t.lstat(p)
	if isNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete %q: %w", p, err)
	}
	if fi.IsDir() {
		return false, fmt.Errorf("delete %q: %w: it is a directory in the target now; left in place", p, ErrNotFile)
	}
	if err := t.r.Remove(p); err != nil && !isNotExist(err) {
		return false, fmt.Errorf("delete %q: %w", p, err)
	}
	if err := syncDir(t, path.Dir(p)); err != nil {
		return true, err
	}
	return true, nil
}

// deleteEntries drops the entries whose path is in gone.
func deleteEntries(files []*entry, gone map[string]bool) []*entry {
	return slices.DeleteFunc(files, func(e *entry) bool { return gone[e.Path] })
}

// sweepDirs removes the app's directories that are empty, deepest first,
// and returns those still there. It never removes the root or a directory
// with anything in it (rmdir refuses), and forgets directories that are
// gone or were replaced by something else.
func sweepDirs(t tree, dirs []string) []string {
	sorted := slices.Clone(dirs)
	slices.SortFunc(sorted, func(a, b string) int {
		if c := strings.Count(b, "/") - strings.Count(a, "/"); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var kept []string
	for _, d := range sorted {
		fi, err := t.lstat(d)
		if isNotExist(err) || (err == nil && !fi.IsDir()) {
			continue
		}
		if err == nil {
			err = t.r.Remove(d)
		}
		if err == nil {
			_ = syncDir(t, path.Dir(d))
			continue
		}
		if !isNotExist(err) {
			kept = append(kept, d) // not empty (ENOTEMPTY) or not removable
		}
	}
	slices.Sort(kept)
	return kept
}
