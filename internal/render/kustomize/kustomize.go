// Package kustomize renders an app directory holding a kustomization with
// the kustomize library (sigs.k8s.io/kustomize/api, in process).
//
// Builds are confined to the repository: remote bases and remote files are
// refused before kustomize runs (it would fetch them itself), no plugin,
// exec or container function and no Helm chart runs, and every file is read
// through a read-only file system rooted at the repository, so a "../.."
// path or a symlink leading out of the repository is an error naming the
// kustomization file. Builds of different apps run concurrently (see
// schemaLock for the one exception). The renderer registers itself with
// render as "kustomize".
package kustomize

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"

	"plumb.dev/plumb/internal/render"
)

func init() { render.Register("kustomize", Renderer{}) }

// Renderer renders kustomizations. The zero value is ready to use.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Render builds the kustomization at in.Path and returns its objects in
// kustomize's output order, each with render.OriginAnnotation naming the
// repository file it came from (for generated objects: the kustomization
// that generated them).
func (Renderer) Render(ctx context.Context, in render.Input) ([]*unstructured.Unstructured, error) {
	root, dir, err := render.OpenApp(in)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	file := find(root, dir)
	if file == "" {
		return nil, fmt.Errorf("app path %s: no kustomization file (%s)", dir, strings.Join(Names, ", "))
	}
	sc := &scanner{root: root, visited: map[string]bool{}}
	if err := sc.scan(dir); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := newBuild(in.Root, root, dir, file)
	if err != nil {
		return nil, err
	}
	m, err := b.run(sc.openAPI)
	if err != nil {
		return nil, b.error(err)
	}
	return b.objects(m)
}

// build is one kustomize run.
type build struct {
	fs         *repoFS
	dir        string // app directory, relative to the repository root
	file       string // its kustomization file, relative to the root
	userOrigin bool   // the kustomization asks for origin annotations itself
}

func newBuild(rootDir string, root *os.Root, dir, file string) (*build, error) {
	abs, err := filepath.Abs(rootDir)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	b := &build{fs: &repoFS{dir: real, root: root}, dir: dir, file: file}
	data, err := root.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, unwrapPath(err))
	}
	tracked, user, err := withOriginTracking(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	b.userOrigin = user
	b.fs.overlay = map[string][]byte{filepath.Join(real, filepath.FromSlash(file)): tracked}
	return b, nil
}

// options are the kustomize options of every build: the output order of
// `kustomize build` (legacy kind order unless the kustomization sets
// sortOptions), no plugins of any kind (builtins only, Helm off), and no
// kustomize load restriction, since
// repoFS confines loads to the repository (kustomize's own restriction
// would confine them to the app directory, forbidding shared bases).
func options() *krusty.Options {
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionUnspecified
	o.LoadRestrictions = types.LoadRestrictionsNone
	o.PluginConfig = types.DisabledPluginConfig()
	return o
}

func (b *build) run(customSchema bool) (resmap.ResMap, error) {
	unlock := schemaLock(customSchema)
	defer unlock()
	return krusty.MakeKustomizer(options()).Run(b.fs, filepath.Join(b.fs.dir, filepath.FromSlash(b.dir)))
}

// error names the kustomization file and replaces the temporary absolute
// location of the tree with repository paths.
func (b *build) error(err error) error {
	return &BuildError{File: b.file, root: b.fs.dir + string(filepath.Separator), Err: err}
}

// BuildError is a failed kustomize build of the kustomization File
// (relative to the repository root).
type BuildError struct {
	File string
	Err  error
	root string
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("kustomize build %s: %s", e.File, strings.ReplaceAll(e.Err.Error(), e.root, ""))
}

func (e *BuildError) Unwrap() error { return e.Err }

// objects converts kustomize's resources to unstructured objects carrying
// render.OriginAnnotation.
func (b *build) objects(m resmap.ResMap) ([]*unstructured.Unstructured, error) {
	objs := make([]*unstructured.Unstructured, 0, m.Size())
	for _, res := range m.Resources() {
		origin, err := res.GetOrigin()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: origin of %s: %w", b.file, res.CurId(), err)
		}
		data, err := res.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s: %w", b.file, res.CurId(), err)
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(data); err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s: %w", b.file, res.CurId(), err)
		}
		if !b.userOrigin {
			stripKustomizeOrigin(obj)
		}
		render.SetOrigin(obj, b.originFile(origin), 0)
		objs = append(objs, obj)
	}
	return objs, nil
}
