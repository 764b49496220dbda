package files

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// testHook, when set by a test, is called at each step of a write: "temp"
// once the temp file is complete, "renamed" once it replaced the target.
// Tests use it to stop a process at a known point, as kill -9 would.
var testHook func(step, name string)

func hook(step, name string) {
	if testHook != nil {
		testHook(step, name)
	}
}

// tempInfix and tempSuffix frame the random part of a temp file name:
// ".<base>.plumb-<12 hex>.tmp", next to the file it will replace.
const (
	tempInfix  = ".plumb-"
	tempSuffix = ".tmp"
	tempRandom = 12
)

// tempStemLen keeps temp file names of long file names within maxNameLen.
const tempStemLen = maxNameLen - 1 - len(tempInfix) - tempRandom - len(tempSuffix)

// tempStem is the part of a file's base name its temp files carry.
func tempStem(base string) string { return base[:min(len(base), tempStemLen)] }

func tempName(name string) string {
	var b [tempRandom / 2]byte
	_, _ = rand.Read(b[:])
	dir, base := path.Split(name)
	return dir + "." + tempStem(base) + tempInfix + hex.EncodeToString(b[:]) + tempSuffix
}

// writeAtomic replaces name with data and mode perm: temp file in the same
// directory, fsync, rename, fsync of the directory.
func writeAtomic(t tree, name string, data []byte, perm fs.FileMode) error {
	tmp := tempName(name)
	f, err := t.r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create temp file for %q: %w", name, err)
	}
	err = fillFile(f, data, perm)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = t.r.Remove(tmp)
		return fmt.Errorf("write %q: %w", name, err)
	}
	return commit(t, tmp, name)
}

// fillFile writes data into f, sets its mode and flushes it to disk.
func fillFile(f *os.File, data []byte, perm fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	return f.Sync()
}

// writeLink replaces name with a symlink to target, atomically.
func writeLink(t tree, name, to string) error {
	tmp := tempName(name)
	if err := t.r.Symlink(to, tmp); err != nil {
		return fmt.Errorf("create symlink for %q: %w", name, err)
	}
	return commit(t, tmp, name)
}

// commit renames a finished temp file over name and syncs the directory.
func commit(t tree, tmp, name string) error {
	hook("temp", name)
	if err := t.r.Rename(tmp, name); err != nil {
		_ = t.r.Remove(tmp)
		return fmt.Errorf("replace %q: %w", name, err)
	}
	hook("renamed", name)
	return syncDir(t, path.Dir(name))
}

// syncDir flushes a directory's entries to disk.
func syncDir(t tree, dir string) error {
	f, err := t.r.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	return nil
}

// cleanTemps removes temp files a crashed Apply left next to the app's
// files and its inventory. Only names that are temp files of paths the app
// owns are touched.
func cleanTemps(t tree, inv *inventory) error {
	if !t.exists() {
		return nil
	}
	bases := map[string]map[string]bool{inventoryDir: {tempStem(inv.App + ".json"): true}}
	for _, e := range inv.Files {
		dir, base := path.Dir(e.Path), path.Base(e.Path)
		if bases[dir] == nil {
			bases[dir] = map[string]bool{}
		}
		bases[dir][tempStem(base)] = true
	}
	for _, dir := range sortedKeys(bases) {
		if err := cleanDir(t, dir, bases[dir]); err != nil {
			return err
		}
	}
	return nil
}

// cleanDir removes from dir the temp files of the files whose temp stems
// are in bases.
func cleanDir(t tree, dir string, bases map[string]bool) error {
	ents, err := t.readDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("look for leftover temp files in %q: %w", dir, err)
		}
		return nil // not a directory (any more): nothing of ours in it
	}
	for _, de := range ents {
		base, ok := tempBase(de.Name())
		if !ok || !bases[base] || de.IsDir() {
			continue
		}
		name := path.Join(dir, de.Name())
		if err := t.r.Remove(name); err != nil && !isNotExist(err) {
			return fmt.Errorf("remove leftover temp file %q: %w", name, err)
		}
	}
	return nil
}

// tempBase returns the stem of the file name a temp file was made for.
func tempBase(name string) (string, bool) {
	rest, ok := strings.CutSuffix(name, tempSuffix)
	if !ok || len(rest) < 1+len(tempInfix)+tempRandom || rest[0] != '.' {
		return "", false
	}
	rnd := rest[len(rest)-tempRandom:]
	rest = rest[:len(rest)-tempRandom]
	base, ok := strings.CutSuffix(rest[1:], tempInfix)
	if !ok || base == "" {
		return "", false
	}
	if _, err := hex.DecodeString(rnd); err != nil {
		return "", false
	}
	return base, true
}
