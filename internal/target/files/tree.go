package files

import (
	"io/fs"
	"os"
)

// tree is the target root as the driver sees it. A tree with a nil r stands
// for a root that does not exist yet: everything in it is missing.
type tree struct {
	r *os.Root
}

func (t tree) exists() bool { return t.r != nil }

func (t tree) close() {
	if t.r != nil {
		_ = t.r.Close()
	}
}

// lstat describes name without following a final symlink.
func (t tree) lstat(name string) (fs.FileInfo, error) {
	if t.r == nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return t.r.Lstat(name)
}

// stat describes name, following symlinks as long as they stay in the root.
func (t tree) stat(name string) (fs.FileInfo, error) {
	if t.r == nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return t.r.Stat(name)
}

func (t tree) readlink(name string) (string, error) {
	if t.r == nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrNotExist}
	}
	return t.r.Readlink(name)
}

func (t tree) readFile(name string) ([]byte, error) {
	if t.r == nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return t.r.ReadFile(name)
}

// readDir lists the directory name; a missing directory lists as empty.
func (t tree) readDir(name string) ([]fs.DirEntry, error) {
	if t.r == nil {
		return nil, nil
	}
	f, err := t.r.Open(name)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}
