package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Kind names a renderer and the files whose presence in an app's directory
// selects it.
type Kind struct {
	Renderer string
	Markers  []string
}

// Kinds is the detection table, first match wins. An app whose directory
// holds none of the markers is plain YAML.
var Kinds = []Kind{
	{Renderer: "kustomize", Markers: []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}},
}

// Fallback is the renderer for directories that match no Kind.
const Fallback = "yaml"

// Detect returns the name of the renderer for in.Path. It fails when the
// path is not a directory inside in.Root.
func Detect(in Input) (string, error) {
	root, dir, err := OpenApp(in)
	if err != nil {
		return "", err
	}
	defer root.Close()
	for _, k := range Kinds {
		for _, m := range k.Markers {
			fi, err := root.Stat(path.Join(dir, m))
			if err == nil && fi.Mode().IsRegular() {
				return k.Renderer, nil
			}
		}
	}
	return Fallback, nil
}

// CleanPath validates an app path and returns it cleaned, slash-separated
// and relative ("." for the root). Absolute paths and paths that climb out
// with ".." are errors.
func CleanPath(p string) (string, error) {
	p = strings.ReplaceAll(p, "\\", "/")
	if p == "" {
		return ".", nil
	}
	c := path.Clean(p)
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("app path %q: must be relative and inside the repository", p)
	}
	return c, nil
}

// OpenApp opens in.Root as an os.Root (which refuses to follow symlinks out
// of it) and checks that the app path is a directory inside it. It returns
// the root and the cleaned app path; the caller closes the root.
func OpenApp(in Input) (*os.Root, string, error) {
	dir, err := CleanPath(in.Path)
	if err != nil {
		return nil, "", err
	}
	root, err := os.OpenRoot(in.Root)
	if err != nil {
		return nil, "", fmt.Errorf("open repository tree: %w", err)
	}
	fi, err := root.Stat(dir)
	if err == nil && !fi.IsDir() {
		err = errors.New("not a directory")
	}
	if err != nil {
		root.Close()
		if errors.Is(err, fs.ErrNotExist) {
			err = errors.New("no such directory in the repository")
		}
		return nil, "", fmt.Errorf("app path %s: %w", displayPath(dir), unwrapPathError(err))
	}
	return root, dir, nil
}

// unwrapPathError drops the *fs.PathError wrapper whose path is the absolute
// location of the temporary tree; messages name repository paths instead.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func displayPath(p string) string {
	if p == "" || p == "." {
		return "(repository root)"
	}
	return p
}
