package files

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"plumb.dev/plumb"
)

// state is what identifies a version of a file: the sha256 of its content
// (of its target, for a symlink) and its mode (permission bits for a
// regular file, fs.ModeSymlink for a symlink, the type bits of anything
// else).
type state struct {
	hash string
	mode fs.FileMode
}

func (s state) equal(o state) bool { return s.hash == o.hash && s.mode == o.mode }

func (s state) isLink() bool { return s.mode&fs.ModeSymlink != 0 }

// record turns the state into an inventory record.
func (s state) record(rev string) record {
	return record{SHA256: s.hash, Mode: fileMode(s.mode), Revision: rev}
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// defaultMode is the mode of a desired regular file that gives none.
const defaultMode fs.FileMode = 0o644

// desiredState is the state f asks for.
func desiredState(f plumb.File) state {
	if f.Mode&fs.ModeSymlink != 0 {
		return state{hash: hashOf(f.Data), mode: fs.ModeSymlink}
	}
	perm := f.Mode.Perm()
	if perm == 0 {
		perm = defaultMode
	}
	return state{hash: hashOf(f.Data), mode: perm}
}

// live is a file as found in the target.
type live struct {
	exists bool
	state
	// data is the content of a regular file or the target of a symlink;
	// nil for anything else.
	data []byte
}

// readLive looks at p without following a final symlink, and reads only
// regular files (never a FIFO or a device).
func readLive(t tree, p string) (live, error) {
	fi, err := t.lstat(p)
	if isNotExist(err) {
		return live{}, nil
	}
	if err != nil {
		return live{}, fmt.Errorf("inspect %q: %w", p, err)
	}
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		to, err := t.readlink(p)
		if err != nil {
			return live{}, fmt.Errorf("read symlink %q: %w", p, err)
		}
		return live{exists: true, state: state{hash: hashOf([]byte(to)), mode: fs.ModeSymlink}, data: []byte(to)}, nil
	case m.IsRegular():
		return readRegular(t, p)
	default:
		return live{exists: true, state: state{mode: m.Type()}}, nil
	}
}

// readRegular reads a regular file, checking on the open file that it still
// is one.
func readRegular(t tree, p string) (live, error) {
	f, err := t.r.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if isNotExist(err) {
		return live{}, nil
	}
	if err != nil {
		return live{}, fmt.Errorf("open %q: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return live{}, fmt.Errorf("stat %q: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		return live{exists: true, state: state{mode: fi.Mode().Type()}}, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return live{}, fmt.Errorf("read %q: %w", p, err)
	}
	return live{exists: true, state: state{hash: hashOf(data), mode: fi.Mode().Perm()}, data: data}, nil
}

// driftDetail says how the live file differs from what was applied, e.g.
// "content changed" or "mode changed 0644→0600".
func driftDetail(want state, l live) string {
	if !l.exists {
		return "deleted"
	}
	return changeDetail(want, l.state)
}

// changeDetail says how state to differs from state from.
func changeDetail(from, to state) string {
	switch {
	case from.mode.Type() != to.mode.Type():
		return fmt.Sprintf("%s replaced by %s", kindName(from.mode), kindName(to.mode))
	case from.isLink():
		return "symlink target changed"
	case from.hash != to.hash && from.mode != to.mode:
		return fmt.Sprintf("content changed; mode changed %04o→%04o", from.mode, to.mode)
	case from.hash != to.hash:
		return "content changed"
	default:
		return fmt.Sprintf("mode changed %04o→%04o", from.mode, to.mode)
	}
}

// kindName names a file type for people.
func kindName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	default:
		return "a special file"
	}
}
