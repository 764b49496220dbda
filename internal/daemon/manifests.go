package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb"
	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/engine"
	"plumb.dev/plumb/internal/render"
	"plumb.dev/plumb/internal/render/helm"
	"plumb.dev/plumb/internal/render/subst"
	"plumb.dev/plumb/internal/sops"

	_ "plumb.dev/plumb/internal/render/kustomize" // registers the kustomize renderer
	_ "plumb.dev/plumb/internal/render/yaml"      // registers the plain YAML renderer
)

// exporter is a source that can write a whole commit to disk, which
// renderers such as kustomize need.
type exporter interface {
	Export(ctx context.Context, rev, dir string) error
}

// manifests renders apps of Kubernetes targets: plain YAML, kustomize or a
// Helm chart, from the repository exported once per commit and shared by
// every app of that commit; then decrypts SOPS values with the app's own
// keys and substitutes variables.
type manifests struct {
	dir    string
	keep   int
	flight singleflight.Group
	helm   *helm.Renderer

	mu      sync.Mutex
	exports map[string]time.Time // export dir → last use
}

// newManifests starts with an empty export cache in dir (exports are a
// cache; those of an earlier run are not tracked, so they are removed).
func newManifests(dir string) *manifests {
	_ = os.RemoveAll(dir)
	return &manifests{dir: dir, keep: 8, exports: map[string]time.Time{}, helm: helm.New(helm.Options{CacheDir: dir + "-charts"})}
}

var _ engine.Renderer = (*manifests)(nil)

// InputHash is the tree hash of the app's path for plain YAML. A
// kustomization may load bases from anywhere in the repository, so its
// input is the whole tree. A chart's input is its directory and values
// files, or the version a remote chart resolves to; the app's render
// settings and the files it reads variables from are folded in.
func (m *manifests) InputHash(ctx context.Context, src engine.Source, rev string, app *config.App) (string, error) {
	paths, kind, err := m.inputPaths(ctx, src, rev, app)
	if err != nil {
		return "", err
	}
	hashes := make([]string, 0, len(paths)+2)
	for _, p := range paths {
		h, err := src.TreeHash(ctx, rev, p)
		if err != nil {
			return "", fmt.Errorf("app %s: path %q at %s: %w", app.Name, p, plumb.Short(rev), err)
		}
		hashes = append(hashes, h)
	}
	if app.Helm == nil && app.Decryption == nil && app.Substitute == nil {
		return kind + ":" + hashes[0], nil
	}
	if app.Helm != nil && (app.Helm.Repo != "" || app.Helm.OCI != "") {
		res, err := m.helm.Resolve(ctx, app.Helm)
		if err != nil {
			return "", fmt.Errorf("app %s: helm %s: %w", app.Name, app.Helm, err)
		}
		hashes = append(hashes, res.Location+"@"+res.Version+"@"+res.Digest)
	}
	settings, _ := json.Marshal([]any{app.Helm, app.Decryption, app.Substitute})
	hashes = append(hashes, string(settings))
	sum := sha256.Sum256([]byte(strings.Join(hashes, "\x00")))
	return kind + ":" + hex.EncodeToString(sum[:]), nil
}

// inputPaths lists the source paths an app's render reads and names its
// renderer.
func (m *manifests) inputPaths(ctx context.Context, src engine.Source, rev string, app *config.App) ([]string, string, error) {
	var paths []string
	kind := "helm"
	if app.Helm == nil {
		root, err := m.tree(ctx, src, rev)
		if err != nil {
			return nil, "", err
		}
		if kind, err = render.Detect(render.Input{Root: root, Path: app.Path}); err != nil {
			return nil, "", fmt.Errorf("app %s: %w", app.Name, err)
		}
		paths = append(paths, app.Path)
		if kind != "yaml" {
			paths[0] = ""
		}
	} else {
		paths = append(paths, app.Path)
		if app.Helm.Repo == "" && app.Helm.OCI == "" {
			paths = append(paths, path.Join(app.Path, app.Helm.Chart))
		}
		for _, f := range app.Helm.ValuesFiles {
			paths = append(paths, path.Join(app.Path, f))
		}
	}
	if app.Substitute != nil {
		for _, f := range app.Substitute.FromFiles {
			paths = append(paths, path.Join(app.Path, f))
		}
	}
	return paths, kind, nil
}

// Render renders the app's objects, decrypted and with variables
// substituted, without plumb's origin annotations. Any failure renders
// nothing, so nothing of the app is applied.
func (m *manifests) Render(ctx context.Context, src engine.Source, rev string, app *config.App) (plumb.Desired, error) {
	root, err := m.tree(ctx, src, rev)
	if err != nil {
		return plumb.Desired{}, err
	}
	keys := &appKeys{app: app}
	var objs []*unstructured.Unstructured
	if app.Helm != nil {
		res, err := m.helm.Render(ctx, helm.Request{Root: root, AppPath: app.Path, Namespace: app.Namespace,
			App: app.Name, Chart: app.Helm, Decrypt: keys.decryptFile})
		if err != nil {
			return plumb.Desired{}, err
		}
		objs = res.Objects
	} else if objs, err = render.Render(ctx, render.Input{Root: root, Path: app.Path, Namespace: app.Namespace}); err != nil {
		return plumb.Desired{}, err
	}
	if err := keys.decryptObjects(root, objs); err != nil {
		return plumb.Desired{}, err
	}
	if err := substitute(root, app, keys, objs); err != nil {
		return plumb.Desired{}, err
	}
	return plumb.Desired{Revision: rev, Objects: render.StripOrigins(objs)}, nil
}

// appKeys loads an app's age identities once, when a file needs them.
type appKeys struct {
	app *config.App
	ids *sops.Identities
	err error
	got bool
}

func (k *appKeys) load() (*sops.Identities, error) {
	if !k.got && k.app.Decryption != nil {
		k.ids, k.err = sops.LoadIdentities(k.app.Decryption.AgeKeyFiles)
	}
	k.got = true
	return k.ids, k.err
}

// decryptFile decrypts a SOPS file of the source and returns other
// content unchanged.
func (k *appKeys) decryptFile(file string, data []byte) ([]byte, error) {
	if !sops.IsEncrypted(data) {
		return data, nil
	}
	ids, err := k.load()
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", file, err)
	}
	return sops.DecryptIfEncrypted(file, data, ids)
}

// decryptObjects decrypts objects that came from SOPS files.
func (k *appKeys) decryptObjects(root string, objs []*unstructured.Unstructured) error {
	for _, o := range objs {
		if !sops.Encrypted(o) {
			continue
		}
		ids, err := k.load()
		if err != nil {
			return fmt.Errorf("decrypt %s: %w", render.Origin(o), err)
		}
		return sops.DecryptObjects(root, objs, ids)
	}
	return nil
}

// substitute replaces variables when the app asks for it; the app's own
// vars win over those read from files.
func substitute(root string, app *config.App, keys *appKeys, objs []*unstructured.Unstructured) error {
	s := app.Substitute
	if s == nil {
		return nil
	}
	vars, err := subst.LoadVars(root, app.Path, s.FromFiles, keys.decryptFile)
	if err != nil {
		return err
	}
	for k, v := range s.Vars {
		vars[k] = v
	}
	return subst.Objects(objs, subst.Options{Vars: vars, Strict: s.Strict})
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
