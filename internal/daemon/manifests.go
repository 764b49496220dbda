package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/render"

	_ "plumb.dev/plumb/internal/render/kustomize" // registers the kustomize renderer
	_ "plumb.dev/plumb/internal/render/yaml"      // registers the plain YAML renderer
)

// exporter is a source that can write a whole commit to disk, which
// renderers such as kustomize need.
type exporter interface {
	Export(ctx context.Context, rev, dir string) error
}

// manifests renders apps of Kubernetes targets: plain YAML or kustomize,
// from the repository exported once per commit and shared by every app of
// that commit.
type manifests struct {
	dir    string
	keep   int
	flight singleflight.Group

	mu      sync.Mutex
	exports map[string]time.Time // export dir → last use
}

// newManifests starts with an empty export cache in dir (exports are a
// cache; those of an earlier run are not tracked, so they are removed).
func newManifests(dir string) *manifests {
	_ = os.RemoveAll(dir)
	return &manifests{dir: dir, keep: 8, exports: map[string]time.Time{}}
}

var _ engine.Renderer = (*manifests)(nil)

// InputHash is the tree hash of the app's path for plain YAML. A
// kustomization may load bases from anywhere in the repository, so its
// input is the whole tree.
func (m *manifests) InputHash(ctx context.Context, src engine.Source, rev string, app *config.App) (string, error) {
	root, err := m.tree(ctx, src, rev)
	if err != nil {
		return "", err
	}
	kind, err := render.Detect(render.Input{Root: root, Path: app.Path})
	if err != nil {
		return "", fmt.Errorf("app %s: %w", app.Name, err)
	}
	path := app.Path
	if kind != "yaml" {
		path = ""
	}
	h, err := src.TreeHash(ctx, rev, path)
	if err != nil {
		return "", fmt.Errorf("app %s: path %q at %s: %w", app.Name, app.Path, plumb.Short(rev), err)
	}
	return kind + ":" + h, nil
}

// Render renders the app's objects, without plumb's origin annotations.
func (m *manifests) Render(ctx context.Context, src engine.Source, rev string, app *config.App) (plumb.Desired, error) {
	root, err := m.tree(ctx, src, rev)
	if err != nil {
		return plumb.Desired{}, err
	}
	objs, err := render.Render(ctx, render.Input{Root: root, Path: app.Path, Namespace: app.Namespace})
	if err != nil {
		return plumb.Desired{}, err
	}
	return plumb.Desired{Revision: rev, Objects: render.StripOrigins(objs)}, nil
}

// tree exports the commit once (concurrent callers share the export) and
// returns its directory; the least recently used exports are removed.
func (m *manifests) tree(ctx context.Context, src engine.Source, rev string) (string, error) {
	ex, ok := src.(exporter)
	if !ok {
		return "", fmt.Errorf("source cannot export trees for rendering")
	}
	dir := filepath.Join(m.dir, rev)
	_, err, _ := m.flight.Do(dir, func() (any, error) {
		if _, err := os.Stat(dir); err == nil {
			return nil, nil
		}
		if err := ex.Export(ctx, rev, dir); err != nil {
			return nil, fmt.Errorf("export %s: %w", plumb.Short(rev), err)
		}
		return nil, nil
	})
	if err != nil {
		return "", err
	}
	m.touch(dir)
	return dir, nil
}

func (m *manifests) touch(dir string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.exports[dir] = time.Now()
	if len(m.exports) <= m.keep {
		return
	}
	dirs := make([]string, 0, len(m.exports))
	for d := range m.exports {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool { return m.exports[dirs[i]].Before(m.exports[dirs[j]]) })
	for _, d := range dirs[:len(dirs)-m.keep] {
		delete(m.exports, d)
		_ = os.RemoveAll(d)
	}
}
