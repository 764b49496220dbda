package promote

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/automation/image"
)

// modeOf resolves the mode: auto is images when the From path has
// markers, else tree.
func modeOf(mode string, files []plumb.File) (string, error) {
	switch mode {
	case ModeImages, ModeTree:
		return mode, nil
	case "", ModeAuto:
		for _, f := range files {
			if isYAML(f.Path) && bytes.Contains(f.Data, []byte("$imagepolicy")) {
				return ModeImages, nil
			}
		}
		return ModeTree, nil
	}
	return "", fmt.Errorf("%w: unknown mode %q (want auto, images or tree)", ErrInvalid, mode)
}

func isYAML(p string) bool { ext := path.Ext(p); return ext == ".yaml" || ext == ".yml" }

// markerValues reads the marked values of the From files: marker →
// value. One marker with two different values is an error.
func markerValues(files []plumb.File) (map[image.Marker]string, error) {
	vals := map[image.Marker]string{}
	for _, f := range files {
		if !isYAML(f.Path) || !bytes.Contains(f.Data, []byte("$imagepolicy")) {
			continue
		}
		marked, err := image.Find(f.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		for _, m := range marked {
			if old, ok := vals[m.Marker]; ok && old != m.Value {
				return nil, fmt.Errorf("%w: marker %s has two values in the source app: %q and %q", ErrInvalid, m.Marker, old, m.Value)
			}
			vals[m.Marker] = m.Value
		}
	}
	return vals, nil
}

// promoteImages sets the To path's marked fields to the From values.
func promoteImages(dir, toPath string, files []plumb.File) ([]Change, error) {
	vals, err := markerValues(files)
	if err != nil {
		return nil, err
	}
	targets, err := yamlUnder(dir, toPath)
	if err != nil {
		return nil, err
	}
	var changes []Change
	matched := false
	for _, rel := range targets {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		data, err := os.ReadFile(full)
		if err != nil || !bytes.Contains(data, []byte("$imagepolicy")) {
			continue
		}
		out, err := image.SetValues(rel, data, func(m image.Marked) (string, bool) {
			v, ok := valueFor(vals, m)
			matched = matched || ok
			if ok && v != m.Value {
				changes = append(changes, Change{File: rel, Marker: m.Marker.String(), Old: m.Value, New: v})
			}
			return v, ok
		})
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(out, data) {
			info, err := os.Stat(full)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(full, out, info.Mode().Perm()); err != nil {
				return nil, err
			}
		}
	}
	if !matched {
		return nil, fmt.Errorf("%w: no $imagepolicy marker under %s matches those of the source app", ErrInvalid, toPath)
	}
	return changes, nil
}

// valueFor finds the From value for a marked To field: the same marker,
// or the part of the policy's whole-image value the field holds.
func valueFor(vals map[image.Marker]string, m image.Marked) (string, bool) {
	if v, ok := vals[m.Marker]; ok {
		return v, true
	}
	full, ok := vals[image.Marker{Policy: m.Marker.Policy}]
	name, tag := splitRef(full)
	switch {
	case !ok:
		return "", false
	case m.Marker.Field == image.FieldTag && tag != "":
		return tag, true
	case m.Marker.Field == image.FieldName:
		return name, true
	}
	return "", false
}

// splitRef splits IMAGE:TAG.
func splitRef(ref string) (name, tag string) {
	slash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > slash {
		return ref[:colon], ref[colon+1:]
	}
	return ref, ""
}

// yamlUnder lists the YAML files under p in dir, relative to dir.
func yamlUnder(dir, p string) ([]string, error) {
	var out []string
	root := filepath.Join(dir, filepath.FromSlash(p))
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && isYAML(full) {
			rel, _ := filepath.Rel(dir, full)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: path %s of the target app: %v", ErrInvalid, p, err)
	}
	return out, nil
}

// promoteTree makes the To path hold exactly the From files.
func promoteTree(dir, toPath string, files []plumb.File) ([]Change, error) {
	root := filepath.Join(dir, filepath.FromSlash(toPath))
	want := map[string]plumb.File{}
	for _, f := range files {
		if !fs.ValidPath(f.Path) {
			return nil, fmt.Errorf("%w: refusing path %q", ErrInvalid, f.Path)
		}
		want[f.Path] = f
	}
	var changes []Change
	have := map[string]bool{}
	_ = filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, full)
			have[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	for rel := range have {
		if _, ok := want[rel]; !ok {
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
				return nil, err
			}
			changes = append(changes, Change{File: path.Join(toPath, rel), Action: "removed"})
		}
	}
	for rel, f := range want {
		full := filepath.Join(root, filepath.FromSlash(rel))
		old, err := os.ReadFile(full)
		if err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		action := "changed"
		if err != nil {
			action = "added"
		}
		if err := writeFile(full, f); err != nil {
			return nil, err
		}
		changes = append(changes, Change{File: path.Join(toPath, rel), Action: action})
	}
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(a.File, b.File) })
	return changes, nil
}

func writeFile(full string, f plumb.File) error {
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	_ = os.Remove(full)
	if f.Mode&fs.ModeSymlink != 0 {
		return os.Symlink(string(f.Data), full)
	}
	mode := f.Mode.Perm()
	if mode == 0 {
		mode = 0o644
	}
	return os.WriteFile(full, f.Data, mode)
}
