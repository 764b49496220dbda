package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// UpdateTree sets the marked fields of every YAML file under paths
// (relative to root; "." for all) and returns the changes, with file
// names relative to root. Files are rewritten only when they change;
// hidden directories (.git) are skipped. A file that cannot be parsed or
// edited is an error and nothing is written.
func UpdateTree(root string, paths []string, lookup Lookup) ([]Change, error) {
	files, err := yamlFiles(root, paths)
	if err != nil {
		return nil, err
	}
	type edit struct {
		path string
		data []byte
		mode fs.FileMode
	}
	var edits []edit
	var changes []Change
	for _, rel := range files {
		full := filepath.Join(root, filepath.FromSlash(rel))
		data, err := os.ReadFile(full)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", rel, err)
		}
		if !strings.Contains(string(data), "$imagepolicy") {
			continue
		}
		out, ch, err := Set(rel, data, lookup)
		if err != nil {
			return nil, err
		}
		if len(ch) == 0 {
			continue
		}
		info, err := os.Stat(full)
		if err != nil {
			return nil, err
		}
		edits = append(edits, edit{full, out, info.Mode().Perm()})
		changes = append(changes, ch...)
	}
	for _, e := range edits {
		if err := os.WriteFile(e.path, e.data, e.mode); err != nil {
			return nil, fmt.Errorf("write %s: %w", e.path, err)
		}
	}
	return changes, nil
}

// yamlFiles lists the *.yaml and *.yml files under paths, once each, in
// order.
func yamlFiles(root string, paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		p = path.Clean(filepath.ToSlash(p))
		if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
			return nil, fmt.Errorf("path %q leaves the repository", p)
		}
		start := filepath.Join(root, filepath.FromSlash(p))
		err := filepath.WalkDir(start, func(full string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && full != start && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			ext := filepath.Ext(full)
			if !d.Type().IsRegular() || (ext != ".yaml" && ext != ".yml") {
				return nil
			}
			rel, err := filepath.Rel(root, full)
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); !seen[rel] {
				seen[rel] = true
				out = append(out, rel)
			}
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("path %q does not exist in the repository", p)
		}
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}
