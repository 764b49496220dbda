// Package helm renders Helm charts with the Helm v4 SDK, client-side, into
// objects that plumb applies through its own plan, prune, health and drift
// path (no Helm release is stored in the cluster).
//
// A chart comes from a directory of the source, from a chart repository
// (index.yaml over HTTP(S)) or from an OCI registry; remote charts are
// picked by a semver constraint and kept in a cache, so a repository that
// is unreachable keeps serving the last version it resolved to. Values
// are the chart's defaults, then the app's values files in order, then its
// inline values. CRDs from crds/ are rendered as objects (the Kubernetes
// driver applies them in its definitions stage). Hooks become phases:
// pre-install and pre-upgrade hooks are annotated plumb.dev/phase: pre and
// post-install and post-upgrade hooks plumb.dev/phase: post; test, delete
// and rollback hooks have no place in a GitOps sync and are left out (each
// is listed in Result.Skipped).
package helm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"plumb.dev/plumb/internal/config"
	"plumb.dev/plumb/internal/render"
)

// DefaultKubeVersion is .Capabilities.KubeVersion when an app sets none.
const DefaultKubeVersion = "v1.36.0"

// Options configure a Renderer.
type Options struct {
	// CacheDir keeps downloaded charts across restarts ("" keeps them in
	// memory only).
	CacheDir string
	// Client fetches indexes and charts (default: a client with a 60s
	// timeout).
	Client *http.Client
	// IndexTTL is how long a repository index or OCI tag list is reused
	// before it is fetched again (default 10s): apps sharing a chart share
	// one request.
	IndexTTL time.Duration
	// RenderCacheSize bounds the render cache (default 256 entries).
	RenderCacheSize int
}

// Renderer renders charts. It is safe for concurrent use.
type Renderer struct {
	opts    Options
	charts  *chartStore
	renders *lru[Result]
	mu      sync.Mutex
	indexes map[string]indexEntry // remote location → last listing
	last    map[string]Resolved   // remote location + constraint → last resolution
}

// New returns a Renderer.
func New(opts Options) *Renderer {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if opts.IndexTTL == 0 {
		opts.IndexTTL = 10 * time.Second
	}
	if opts.RenderCacheSize == 0 {
		opts.RenderCacheSize = 256
	}
	return &Renderer{
		opts:    opts,
		charts:  newChartStore(opts.CacheDir),
		renders: newLRU[Result](opts.RenderCacheSize),
		indexes: map[string]indexEntry{},
		last:    map[string]Resolved{},
	}
}

// Request is one app's chart at one revision of its source.
type Request struct {
	// Root is the exported source tree; AppPath the app's directory in it.
	Root, AppPath string
	// Namespace is the release namespace; ReleaseName defaults to App.
	Namespace, App string
	Chart          *config.HelmChart
	// Decrypt decrypts a values file when it is SOPS-encrypted and returns
	// other content unchanged (nil: values files are used as they are).
	Decrypt func(file string, data []byte) ([]byte, error)
}

// Result is a rendered chart.
type Result struct {
	// Objects in Helm's install order, hooks annotated with their phase.
	Objects []*unstructured.Unstructured
	// Chart and Version name the chart rendered.
	Chart, Version string
	// Skipped lists hooks left out, like "Pod web-test (helm.sh/hook: test)".
	Skipped []string
}

// releaseName is the app's release name.
func (q Request) releaseName() string {
	if q.Chart.ReleaseName != "" {
		return q.Chart.ReleaseName
	}
	return q.App
}

// Render renders the chart. Results are cached on the chart's content,
// the values and the release settings; callers get their own copies.
func (r *Renderer) Render(ctx context.Context, q Request) (Result, error) {
	ch, err := r.load(ctx, q)
	if err != nil {
		return Result{}, err
	}
	vals, err := userValues(q)
	if err != nil {
		return Result{}, err
	}
	key, err := renderKey(ch.digest, vals, q)
	if err != nil {
		return Result{}, err
	}
	if res, ok := r.renders.get(key); ok {
		return copyResult(res), nil
	}
	res, err := renderChart(ctx, ch, vals, q)
	if err != nil {
		return Result{}, fmt.Errorf("helm %s: %w", q.Chart, err)
	}
	if q.Chart.Repo == "" && q.Chart.OCI == "" {
		sourceOrigins(res.Objects, ch.chart.Name(), repoPath(q.AppPath, q.Chart.Chart))
	}
	r.renders.put(key, res)
	return copyResult(res), nil
}

// renderKey digests everything a render depends on.
func renderKey(chartDigest string, vals map[string]any, q Request) (string, error) {
	b, err := json.Marshal(struct {
		Chart, Release, Namespace, Kube string
		APIs                            []string
		Values                          map[string]any
	}{chartDigest, q.releaseName(), q.Namespace, q.Chart.KubeVersion, q.Chart.APIVersions, vals})
	if err != nil {
		return "", fmt.Errorf("helm values: %w", err)
	}
	return digest(b), nil
}

func copyResult(r Result) Result {
	out := r
	out.Objects = make([]*unstructured.Unstructured, len(r.Objects))
	for i, o := range r.Objects {
		out.Objects[i] = o.DeepCopy()
	}
	return out
}

// sourceOrigins makes the origins of a chart in the source name files of
// the source: "web/templates/x.yaml" becomes "charts/web/templates/x.yaml".
func sourceOrigins(objs []*unstructured.Unstructured, name, dir string) {
	for _, o := range objs {
		if rest, ok := strings.CutPrefix(render.Origin(o), name+"/"); ok {
			file, doc, _ := strings.Cut(rest, "#")
			n, _ := strconv.Atoi(doc)
			render.SetOrigin(o, path.Join(dir, file), n)
		}
	}
}

// repoPath joins a path relative to the app's directory.
func repoPath(appPath, p string) string { return path.Join(appPath, p) }
