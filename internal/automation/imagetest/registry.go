// Package imagetest runs an in-process container registry
// (go-containerregistry's pkg/registry) on 127.0.0.1 for tests: push tags,
// require basic auth, and take the registry down and up again to test
// failures.
package imagetest

import (
	"crypto/subtle"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a running in-process registry.
type Registry struct {
	t        testing.TB
	handler  http.Handler
	addr     string
	user     string
	password string
	down     atomic.Bool

	mu  sync.Mutex
	srv *http.Server
}

// Option configures a Registry.
type Option func(*Registry)

// WithBasicAuth requires HTTP basic auth for every request.
func WithBasicAuth(user, password string) Option {
	return func(r *Registry) { r.user, r.password = user, password }
}

// Start serves a new registry until the test ends.
func Start(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	r := &Registry{t: t, handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	for _, o := range opts {
		o(r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("imagetest: %v", err)
	}
	r.addr = ln.Addr().String()
	r.serve(ln)
	t.Cleanup(func() { r.Stop() })
	return r
}

func (r *Registry) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (r *Registry) serveHTTP(w http.ResponseWriter, req *http.Request) {
	if r.down.Load() {
		http.Error(w, "registry is down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if r.user != "" {
		u, p, ok := req.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(r.user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(r.password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="imagetest"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
	}
	r.handler.ServeHTTP(w, req)
}

// Host returns host:port of the registry.
func (r *Registry) Host() string { return r.addr }

// Image returns HOST:PORT/repo.
func (r *Registry) Image(repo string) string { return r.addr + "/" + repo }

// Push pushes a small random image as repo:tag for each tag.
func (r *Registry) Push(repo string, tags ...string) {
	r.t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		r.t.Fatalf("imagetest: %v", err)
	}
	auth := authn.Anonymous
	if r.user != "" {
		auth = &authn.Basic{Username: r.user, Password: r.password}
	}
	for _, tag := range tags {
		ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.addr, repo, tag), name.Insecure)
		if err != nil {
			r.t.Fatalf("imagetest: %v", err)
		}
		if err := remote.Write(ref, img, remote.WithAuth(auth)); err != nil {
			r.t.Fatalf("imagetest: push %s: %v", ref, err)
		}
	}
}

// SetDown makes every request fail with 503 (true) or serves again (false).
func (r *Registry) SetDown(down bool) { r.down.Store(down) }

// Stop closes the listener: the registry refuses connections.
func (r *Registry) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		_ = r.srv.Close()
		r.srv = nil
	}
}
