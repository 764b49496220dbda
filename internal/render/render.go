// Package render turns an app's directory of an exported repository tree into
// the Kubernetes objects it describes.
//
// A Renderer reads Input.Root (the whole repository at one commit) and renders
// the app at Input.Path. Renderers live in subpackages (yaml, kustomize) and
// register themselves with Register; Render picks one by the files the app's
// directory holds (see Kinds). Every object a renderer returns carries an
// origin annotation (OriginAnnotation) naming the file it came from; callers
// read it with Origin and remove it with StripOrigins before applying.
package render

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Input is what a renderer reads.
type Input struct {
	// Root is the directory holding the exported repository tree at one commit.
	// Renderers never read outside it, also not through symlinks.
	Root string
	// Path is the app's directory inside Root, slash-separated and relative
	// ("" or "." is the repository root).
	Path string
	// Namespace is the app's default namespace, for renderers whose tool has
	// a notion of one (a Helm release namespace). The yaml and kustomize
	// renderers leave metadata.namespace as written: only the target knows
	// which kinds are namespaced (see SetDefaultNamespace).
	Namespace string
}

// A Renderer renders one kind of app directory (plain YAML, a kustomization,
// a chart). Render returns the objects in a deterministic order, each with an
// OriginAnnotation. Implementations must be safe for concurrent use.
type Renderer interface {
	Render(ctx context.Context, in Input) ([]*unstructured.Unstructured, error)
}

// ErrNoRenderer is returned by Render when the renderer an app needs is not
// linked into the program (its package was not imported).
var ErrNoRenderer = errors.New("renderer not registered")

var (
	mu        sync.RWMutex
	renderers = map[string]Renderer{}
)

// Register makes a renderer available under name. It panics when name is
// registered twice; renderers call it from init.
func Register(name string, r Renderer) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := renderers[name]; dup {
		panic("render: Register called twice for " + name)
	}
	renderers[name] = r
}

// Registered returns the names of the registered renderers, sorted.
func Registered() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(renderers))
	for n := range renderers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookup(name string) (Renderer, error) {
	mu.RLock()
	defer mu.RUnlock()
	r, ok := renderers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (import plumb.dev/plumb/internal/render/%s)", ErrNoRenderer, name, name)
	}
	return r, nil
}

// Render renders the app at in.Path with the renderer its directory calls
// for (see Detect).
func Render(ctx context.Context, in Input) ([]*unstructured.Unstructured, error) {
	name, err := Detect(in)
	if err != nil {
		return nil, err
	}
	r, err := lookup(name)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", displayPath(in.Path), err)
	}
	return r.Render(ctx, in)
}
