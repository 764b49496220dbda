// Package yaml renders an app directory of plain manifests: every *.yaml,
// *.yml and *.json file below the app path (hidden files and directories
// excepted), in sorted path order, each a stream of YAML documents. Empty
// documents are skipped; a v1 List is expanded into its items.
//
// Values follow YAML 1.2 (as kustomize does): yes/no/on/off are strings.
// The renderer registers itself with render as "yaml".
package yaml

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/render"
)

func init() { render.Register("yaml", Renderer{}) }

// Renderer renders plain YAML directories. The zero value is ready to use.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Render reads every manifest file under in.Path and returns its objects in
// file order, then document order. Two objects with the same kind,
// namespace and name are an error naming both files.
func (Renderer) Render(ctx context.Context, in render.Input) ([]*unstructured.Unstructured, error) {
	root, dir, err := render.OpenApp(in)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	files, err := manifestFiles(root, dir)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := root.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, unwrap(err))
		}
		got, err := Decode(f, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	if err := checkDuplicates(objs); err != nil {
		return nil, err
	}
	return objs, nil
}

// IsManifest reports whether a file name is read as manifests.
func IsManifest(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return !strings.HasPrefix(name, ".")
	}
	return false
}

// manifestFiles lists the manifest files under dir, sorted. Symlinked
// directories are not followed; symlinked files are read through the
// os.Root, which refuses targets outside the repository.
func manifestFiles(root *os.Root, dir string) ([]string, error) {
	var files []string
	err := fs.WalkDir(root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", p, unwrap(err))
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if IsManifest(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

func checkDuplicates(objs []*unstructured.Unstructured) error {
	seen := make(map[string]string, len(objs))
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		key := gvk.Group + "/" + gvk.Kind + "/" + o.GetNamespace() + "/" + o.GetName()
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: %s %s is also defined in %s", render.Origin(o), gvk.Kind, objName(o), prev)
		}
		seen[key] = render.Origin(o)
	}
	return nil
}

func objName(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns + "/" + o.GetName()
	}
	return o.GetName()
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
