package files

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// inventoryVersion is the format version written into every inventory.
const inventoryVersion = 1

// inventory is what one app owns in a root, kept at .plumb/<app>.json:
//
//	{"version": 1, "app": "web", "revision": "3f2a…",
//	 "files": [{"path": "conf/site.conf", "sha256": "…", "mode": "0644", "revision": "3f2a…"},
//	           {"path": "current", "sha256": "…", "mode": "symlink", "revision": "3f2a…",
//	            "pending": {"sha256": "…", "mode": "symlink", "revision": "9c1d…"}}],
//	 "dirs": ["conf"]}
//
// Each file records what was last applied to it. An Apply first records
// every path it is about to write as "pending" (so a crash leaves nothing
// unowned) and settles the record once the write is done. Dirs are the
// directories the app created, removed again when they become empty.
type inventory struct {
	Version  int      `json:"version"`
	App      string   `json:"app"`
	Revision string   `json:"revision,omitempty"`
	Files    []*entry `json:"files"`
	Dirs     []string `json:"dirs,omitempty"`

	// found says the inventory was read from the target, not made up.
	found bool
}

// entry is one owned path. Its record is empty when no write to it has
// completed yet.
type entry struct {
	Path string `json:"path"`
	record
	Pending *record `json:"pending,omitempty"`
}

// record is one applied (or pending) version of a file.
type record struct {
	SHA256   string   `json:"sha256,omitempty"`
	Mode     fileMode `json:"mode,omitempty"`
	Revision string   `json:"revision,omitempty"`
}

func (r *record) state() state { return state{hash: r.SHA256, mode: fs.FileMode(r.Mode)} }

// expected is what the app last wrote at the entry's path, judged against
// the live file: a pending write that landed counts as written. It is nil
// when nothing was written yet.
func (e *entry) expected(l live) *state {
	if e.Pending != nil && l.exists && l.state.equal(e.Pending.state()) {
		s := e.Pending.state()
		return &s
	}
	if e.SHA256 == "" {
		return nil
	}
	s := e.record.state()
	return &s
}

// fileMode is a permission mode written as "0644", or "symlink".
type fileMode fs.FileMode

// MarshalJSON writes the mode as an octal string or "symlink".
func (m fileMode) MarshalJSON() ([]byte, error) {
	if fs.FileMode(m)&fs.ModeSymlink != 0 {
		return json.Marshal("symlink")
	}
	return json.Marshal(fmt.Sprintf("%04o", fs.FileMode(m).Perm()))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *fileMode) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("mode: %w", err)
	}
	if s == "symlink" {
		*m = fileMode(fs.ModeSymlink)
		return nil
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o777 {
		return fmt.Errorf("mode %q: want an octal permission like \"0644\" or \"symlink\"", s)
	}
	*m = fileMode(v)
	return nil
}

func inventoryPath(app string) string { return inventoryDir + "/" + app + ".json" }

// readInventory reads and validates the app's inventory; a missing one is
// empty. Every path is re-checked as strictly as a desired path, so a
// tampered inventory cannot make the driver touch anything outside the root.
func readInventory(t tree, app string) (*inventory, error) {
	inv, err := loadInventory(t, app)
	if err != nil {
		return nil, err
	}
	if err := inv.check(t); err != nil {
		return nil, err
	}
	return inv, nil
}

// loadInventory parses the app's inventory without checking its paths.
func loadInventory(t tree, app string) (*inventory, error) {
	name := inventoryPath(app)
	b, err := t.readFile(name)
	if isNotExist(err) {
		return &inventory{Version: inventoryVersion, App: app}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read inventory %s: %w", name, err)
	}
	inv := &inventory{}
	if err := json.Unmarshal(b, inv); err != nil {
		return nil, fmt.Errorf("inventory %s is corrupt: %w", name, err)
	}
	if inv.Version != inventoryVersion {
		return nil, fmt.Errorf("inventory %s: version %d, this plumb understands %d", name, inv.Version, inventoryVersion)
	}
	if inv.App != app {
		return nil, fmt.Errorf("inventory %s names app %q, want %q", name, inv.App, app)
	}
	inv.found = true
	inv.Files = slices.DeleteFunc(inv.Files, func(e *entry) bool { return e == nil })
	inv.sortFiles()
	return inv, nil
}

// check re-validates every path of the inventory against the live tree.
func (inv *inventory) check(t tree) error {
	seen := make(map[string]bool, len(inv.Files))
	for _, e := range inv.Files {
		if err := checkOwned(t, e.Path); err != nil {
			return &PathError{App: inv.App, Source: "inventory " + inventoryPath(inv.App) + " path", Path: e.Path, Err: err}
		}
		if seen[e.Path] {
			return &PathError{App: inv.App, Source: "inventory " + inventoryPath(inv.App) + " path", Path: e.Path, Err: errors.New("listed twice")}
		}
		seen[e.Path] = true
	}
	for _, d := range inv.Dirs {
		if err := checkOwned(t, d+"/x"); err != nil {
			return &PathError{App: inv.App, Source: "inventory " + inventoryPath(inv.App) + " dir", Path: d, Err: err}
		}
	}
	return nil
}

// checkOwned checks an inventory path: a clean relative path whose parents
// stay in the root.
func checkOwned(t tree, p string) error {
	if err := checkName(p); err != nil {
		return err
	}
	return checkParents(t, p)
}

// find returns the entry for p, or nil.
func (inv *inventory) find(p string) *entry {
	i, ok := slices.BinarySearchFunc(inv.Files, p, func(e *entry, p string) int { return strings.Compare(e.Path, p) })
	if !ok {
		return nil
	}
	return inv.Files[i]
}

// sortFiles orders files by path, as find needs.
func (inv *inventory) sortFiles() {
	slices.SortFunc(inv.Files, func(a, b *entry) int { return strings.Compare(a.Path, b.Path) })
}

// clone copies the inventory deeply.
func (inv *inventory) clone() *inventory {
	c := *inv
	c.Files = make([]*entry, len(inv.Files))
	for i, e := range inv.Files {
		ec := *e
		if e.Pending != nil {
			p := *e.Pending
			ec.Pending = &p
		}
		c.Files[i] = &ec
	}
	c.Dirs = slices.Clone(inv.Dirs)
	return &c
}

// writeInventory replaces the app's inventory atomically.
func writeInventory(t tree, inv *inventory) error {
	inv.sortFiles()
	slices.Sort(inv.Dirs)
	inv.Dirs = slices.Compact(inv.Dirs)
	if inv.Files == nil {
		inv.Files = []*entry{}
	}
	b, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		return fmt.Errorf("encode inventory of app %q: %w", inv.App, err)
	}
	if err := t.r.MkdirAll(inventoryDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", inventoryDir, err)
	}
	if err := writeAtomic(t, inventoryPath(inv.App), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write inventory %s: %w", inventoryPath(inv.App), err)
	}
	return nil
}

// removeInventory deletes the app's inventory.
func removeInventory(t tree, app string) error {
	if err := t.r.Remove(inventoryPath(app)); err != nil && !isNotExist(err) {
		return fmt.Errorf("remove inventory %s: %w", inventoryPath(app), err)
	}
	if err := t.r.Remove(inventoryDir); err == nil || isNotExist(err) {
		return syncDir(t, ".") // that was the last app of the root
	}
	return syncDir(t, inventoryDir)
}

// owners maps every path other apps of the root own to its app.
func owners(t tree, app string) (map[string]string, error) {
	ents, err := t.readDir(inventoryDir)
	if err != nil {
		return nil, fmt.Errorf("list inventories in %s: %w", inventoryDir, err)
	}
	out := map[string]string{}
	for _, de := range ents {
		other, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || other == app || strings.HasPrefix(other, ".") || !de.Type().IsRegular() {
			continue
		}
		inv, err := loadInventory(t, other)
		if err != nil {
			return nil, fmt.Errorf("read inventory of app %q to check ownership: %w", other, err)
		}
		for _, e := range inv.Files {
			out[e.Path] = other
		}
	}
	return out, nil
}

// checkConflicts refuses paths other apps of the root own, paths below a
// file another app owns, and paths that are a directory of another app's
// files.
func checkConflicts(t tree, app string, paths []string) error {
	own, err := owners(t, app)
	if err != nil {
		return err
	}
	dirs := map[string]string{}
	for p, o := range own {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			dirs[dir] = o
		}
	}
	for _, p := range paths {
		if o, ok := own[p]; ok {
			return &ConflictError{Path: p, App: app, Owner: o}
		}
		if o, ok := dirs[p]; ok {
			return &ConflictError{Path: p, App: app, Owner: o, Dir: true}
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if o, ok := own[dir]; ok {
				return &ConflictError{Path: dir, App: app, Owner: o}
			}
		}
	}
	return nil
}
