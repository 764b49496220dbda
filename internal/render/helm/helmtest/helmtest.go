// Package helmtest serves Helm charts to tests: a chart repository over
// HTTP (index.yaml and archives) and an in-process OCI registry
// (go-containerregistry's pkg/registry), both on 127.0.0.1.
package helmtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"sigs.k8s.io/yaml"
)

// Package writes a chart archive: files are paths inside the chart
// directory (Chart.yaml, templates/x.yaml…), stored under name/.
func Package(name string, files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		data := []byte(files[p])
		if err := tw.WriteHeader(&tar.Header{Name: name + "/" + p, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MustPackage is Package for tests.
func MustPackage(t testing.TB, name string, files map[string]string) []byte {
	t.Helper()
	b, err := Package(name, files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Repo is a chart repository served over HTTP.
type Repo struct {
	URL string
	// Requests counts requests served.
	Requests atomic.Int64
	srv      *httptest.Server
	mu       sync.Mutex
	charts   map[string][]byte // "name-version.tgz" → archive
	entries  map[string][]map[string]any
	down     bool
	user     string
	pass     string
}

// NewRepo starts an empty repository; it stops when the test ends.
func NewRepo(t testing.TB) *Repo {
	r := StartRepo()
	t.Cleanup(r.Close)
	return r
}

// StartRepo starts an empty repository outside a test; Close stops it.
func StartRepo() *Repo {
	r := &Repo{charts: map[string][]byte{}, entries: map[string][]map[string]any{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL + "/charts"
	return r
}

// Close stops the repository.
func (r *Repo) Close() { r.srv.Close() }

// Add publishes an archive as name at version.
func (r *Repo) Add(name, version string, tgz []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	file := fmt.Sprintf("%s-%s.tgz", name, version)
	r.charts[file] = tgz
	sum := sha256.Sum256(tgz)
	r.entries[name] = append(r.entries[name], map[string]any{
		"apiVersion": "v2", "name": name, "version": version, "urls": []string{file}, "digest": hex.EncodeToString(sum[:]),
	})
}

// SetDown makes the repository answer 503 to everything, or recover.
func (r *Repo) SetDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

// RequireAuth makes the repository demand basic auth.
func (r *Repo) RequireAuth(user, pass string) {
	r.mu.Lock()
	r.user, r.pass = user, pass
	r.mu.Unlock()
}

func (r *Repo) serve(w http.ResponseWriter, req *http.Request) {
	r.Requests.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if u, p, _ := req.BasicAuth(); r.user != "" && (u != r.user || p != r.pass) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	file := strings.TrimPrefix(req.URL.Path, "/charts/")
	if file == "index.yaml" {
		b, _ := yaml.Marshal(map[string]any{"apiVersion": "v1", "entries": r.entries})
		w.Write(b)
		return
	}
	if tgz, ok := r.charts[file]; ok {
		w.Write(tgz)
		return
	}
	http.NotFound(w, req)
}

// Registry is an in-process OCI registry.
type Registry struct {
	// Host is host:port of the registry.
	Host string
	srv  *httptest.Server
}

// NewRegistry starts an empty registry; it stops when the test ends.
func NewRegistry(t testing.TB) *Registry {
	g := StartRegistry()
	t.Cleanup(g.Close)
	return g
}

// StartRegistry starts an empty registry outside a test; Close stops it.
func StartRegistry() *Registry {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), srv: srv}
}

// Close stops the registry.
func (g *Registry) Close() { g.srv.Close() }

// Push publishes a chart archive as repo:version (repo like
// "charts/web"), the way `helm push` lays it out.
func (g *Registry) Push(repo, version string, tgz []byte) error {
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", g.Host, repo, strings.ReplaceAll(version, "+", "_")))
	if err != nil {
		return err
	}
	layer := static.NewLayer(tgz, types.MediaType("application/vnd.cncf.helm.chart.content.v1.tar+gzip"))
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.MediaType("application/vnd.cncf.helm.config.v1+json"))
	return remote.Write(ref, img)
}

// OCI returns the oci:// reference of a repository in the registry.
func (g *Registry) OCI(repo string) string { return "oci://" + g.Host + "/" + repo }
