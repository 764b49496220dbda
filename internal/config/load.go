package config

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Load reads every *.yaml and *.yml file under dir (recursively, skipping
// hidden files and directories such as .git) and parses them. File names
// in errors are relative to dir. A config problem is returned as an
// ErrorList; a read failure as a wrapped error.
func Load(dir string) (*Config, error) {
	files, err := ReadFiles(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("load config from %s: %w", dir, err)
	}
	return Parse(files)
}

// LoadFS is Load for a file system, such as a Git tree.
func LoadFS(fsys fs.FS) (*Config, error) {
	files, err := ReadFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(files)
}

// ReadFiles returns the config files of fsys in lexical path order: every
// *.yaml and *.yml file, skipping hidden files and directories.
func ReadFiles(fsys fs.FS) ([]File, error) {
	var files []File
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !isConfigFile(fsys, p, d) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		files = append(files, File{Name: p, Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// isConfigFile reports whether p names a YAML file (or a link to one).
func isConfigFile(fsys fs.FS, p string, d fs.DirEntry) bool {
	if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" {
		return false
	}
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := fs.Stat(fsys, p)
	return err == nil && info.Mode().IsRegular()
}
