package files

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"syscall"

	"plumb.dev/plumb"
)

// inventoryDir is the directory in the root that holds the inventories; no
// app may write into it.
const inventoryDir = ".plumb"

// maxNameLen is the longest file name (one path element) Linux file
// systems take.
const maxNameLen = 255

// Errors the driver refuses paths with; PathError wraps one of them.
var (
	// ErrUnsafePath marks a path that would leave the target root, or that
	// is not a clean relative path.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrReserved marks a path inside the reserved .plumb/ directory.
	ErrReserved = errors.New("reserved path")
	// ErrConflict marks a path another app of the same root owns.
	ErrConflict = errors.New("path owned by another app")
	// ErrNotFile marks a path whose live object, or one of whose parents,
	// has the wrong type (a directory where a file belongs, a file where a
	// directory belongs).
	ErrNotFile = errors.New("wrong file type in target")

	// errDangling marks a parent that is a symlink to nothing.
	errDangling = fmt.Errorf("%w: dangling symlink", ErrUnsafePath)
)

// PathError is a path the driver refuses, with the app, where the path came
// from ("desired file", "inventory …", "plan action") and why. Its message
// leaves the app out: Plan, Apply and Delete errors name it already.
type PathError struct {
	App    string
	Source string
	Path   string
	Err    error
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.Source, e.Path, e.Err)
}

func (e *PathError) Unwrap() error { return e.Err }

// ConflictError is a path two apps of one root both want. Dir says Path is
// a directory of the owner's files that App wants as a file.
type ConflictError struct {
	Path  string
	App   string
	Owner string
	Dir   bool
}

func (e *ConflictError) Error() string {
	if e.Dir {
		return fmt.Sprintf("path %q is a directory of files app %q owns; app %q cannot write a file there", e.Path, e.Owner, e.App)
	}
	return fmt.Sprintf("path %q is owned by app %q; app %q cannot also write it (each path of a target root belongs to one app)", e.Path, e.Owner, e.App)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

var appName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// checkApp refuses app names that cannot name an inventory file.
func checkApp(name string) error {
	if !appName.MatchString(name) {
		return fmt.Errorf("app name %q: want letters, digits, '.', '_' or '-', not starting with a symbol", name)
	}
	return nil
}

// checkName refuses paths that are not clean, relative and outside .plumb/.
func checkName(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("%w: empty path", ErrUnsafePath)
	case p == ".":
		return fmt.Errorf("%w: names the target root itself", ErrUnsafePath)
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("%w: contains a NUL byte", ErrUnsafePath)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%w: absolute paths are not allowed; paths are relative to the target root", ErrUnsafePath)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("%w: \"..\" is not allowed", ErrUnsafePath)
		}
		if len(el) > maxNameLen {
			return fmt.Errorf("name %.20q… is %d bytes long, more than a file system allows (%d)", el, len(el), maxNameLen)
		}
	}
	if path.Clean(p) != p {
		return fmt.Errorf("%w: not a clean path (want %q)", ErrUnsafePath, path.Clean(p))
	}
	if first, _, _ := strings.Cut(p, "/"); first == inventoryDir {
		return fmt.Errorf("%w: %s/ holds plumb's inventories", ErrReserved, inventoryDir)
	}
	return nil
}

// checkParents refuses p when a parent that exists is not a directory or is
// a symlink that leaves the root. Missing parents are fine: Apply creates
// them.
func checkParents(t tree, p string) error {
	dir := path.Dir(p)
	if dir == "." {
		return nil
	}
	return checkDirs(t, strings.Split(dir, "/"))
}

// checkDirs checks each prefix of elems as a directory path in t.
func checkDirs(t tree, elems []string) error {
	for i := range elems {
		prefix := strings.Join(elems[:i+1], "/")
		fi, err := t.lstat(prefix)
		switch {
		case isNotExist(err):
			return nil
		case err != nil:
			return fmt.Errorf("parent %q: %w", prefix, err)
		case fi.IsDir():
			continue
		case fi.Mode()&fs.ModeSymlink != 0:
			if err := checkLinkedDir(t, prefix); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: parent %q is not a directory", ErrNotFile, prefix)
		}
	}
	return nil
}

// checkLinkedDir refuses a symlinked parent that leaves the root, dangles or
// is not a directory.
func checkLinkedDir(t tree, name string) error {
	to, _ := t.readlink(name)
	fi, err := t.stat(name)
	switch {
	case isNotExist(err):
		return fmt.Errorf("%w: parent %q points to %q", errDangling, name, to)
	case err != nil:
		return fmt.Errorf("%w: parent %q is a symlink to %q, which leaves the target root (symlinks under the root must be relative and stay inside it)", ErrUnsafePath, name, to)
	case !fi.IsDir():
		return fmt.Errorf("%w: parent %q is a symlink to %q, which is not a directory", ErrNotFile, name, to)
	}
	return nil
}

// checkLinkTarget refuses a desired symlink at p whose target is absolute or
// resolves outside the root (lexically, or through an existing symlink).
func checkLinkTarget(t tree, p, to string) error {
	switch {
	case to == "":
		return fmt.Errorf("%w: symlink with an empty target", ErrUnsafePath)
	case strings.ContainsRune(to, 0):
		return fmt.Errorf("%w: symlink target contains a NUL byte", ErrUnsafePath)
	case strings.HasPrefix(to, "/"):
		return fmt.Errorf("%w: symlink to absolute path %q; symlinks must be relative and stay inside the target root", ErrUnsafePath, to)
	}
	resolved := path.Join(path.Dir(p), to)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("%w: symlink to %q leaves the target root", ErrUnsafePath, to)
	}
	if first, _, _ := strings.Cut(resolved, "/"); first == inventoryDir {
		return fmt.Errorf("%w: symlink to %q points into %s/", ErrReserved, to, inventoryDir)
	}
	if resolved == "." {
		return nil
	}
	if err := checkDirs(t, strings.Split(resolved, "/")); err != nil && !errors.Is(err, ErrNotFile) && !errors.Is(err, errDangling) {
		return fmt.Errorf("symlink to %q: %w", to, err)
	}
	return nil
}

// checkFile checks one desired file against t.
func checkFile(t tree, f plumb.File) error {
	if err := checkParents(t, f.Path); err != nil {
		return err
	}
	if f.Mode&fs.ModeSymlink != 0 {
		if err := checkLinkTarget(t, f.Path, string(f.Data)); err != nil {
			return err
		}
	}
	if fi, err := t.lstat(f.Path); err == nil && fi.IsDir() {
		return fmt.Errorf("%w: is a directory in the target", ErrNotFile)
	}
	return nil
}

// checkDesired validates every desired file, first as names (and against
// other apps' ownership), then against t, and returns them by path.
func checkDesired(t tree, app string, files []plumb.File) (map[string]plumb.File, error) {
	want, err := checkNames(app, files)
	if err != nil {
		return nil, err
	}
	if err := checkConflicts(t, app, sortedKeys(want)); err != nil {
		return nil, err
	}
	for _, p := range sortedKeys(want) {
		if err := checkFile(t, want[p]); err != nil {
			return nil, &PathError{App: app, Source: "desired file", Path: p, Err: err}
		}
	}
	return want, nil
}

// checkNames validates the desired files' paths and types without looking
// at the target.
func checkNames(app string, files []plumb.File) (map[string]plumb.File, error) {
	want := make(map[string]plumb.File, len(files))
	for _, f := range files {
		err := checkName(f.Path)
		if err == nil && f.Mode&fs.ModeType&^fs.ModeSymlink != 0 {
			err = fmt.Errorf("%w: mode %v: only regular files and symlinks can be desired", ErrNotFile, f.Mode)
		}
		if _, dup := want[f.Path]; err == nil && dup {
			err = errors.New("listed twice")
		}
		if err != nil {
			return nil, &PathError{App: app, Source: "desired file", Path: f.Path, Err: err}
		}
		want[f.Path] = f
	}
	for p := range want {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if _, ok := want[dir]; ok {
				return nil, &PathError{App: app, Source: "desired file", Path: p, Err: fmt.Errorf("%w: its parent %q is a desired file too", ErrNotFile, dir)}
			}
		}
	}
	return want, nil
}

func isNotExist(err error) bool {
	return err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR))
}
