package gittest

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configure a Server.
type Options struct {
	// Username and Password, when either is set, require HTTP basic auth.
	Username string
	Password string
	// Name is the bare repository's directory name under the project root
	// when Serve makes it (default "repo.git").
	Name string
}

// Option sets one Option.
type Option func(*Options)

// WithBasicAuth requires HTTP basic auth with username and password.
func WithBasicAuth(username, password string) Option {
	return func(o *Options) { o.Username, o.Password = username, password }
}

// WithName names the served bare repository (default "repo.git").
func WithName(name string) Option {
	return func(o *Options) { o.Name = name }
}

// Server serves the bare repositories under one directory over Git smart
// HTTP (fetch and push) on 127.0.0.1 through git http-backend.
type Server struct {
	opts    Options
	root    string
	name    string
	addr    string
	handler http.Handler

	requests atomic.Int64
	bytes    atomic.Int64

	mu  sync.Mutex
	srv *http.Server
}

// Serve makes a bare clone of repo, serves it until the test ends and
// points repo's origin at it, so that repo.Push pushes over HTTP.
func Serve(t testing.TB, repo *Repo, opts ...Option) *Server {
	t.Helper()
	srv, err := ServeRepo(repo, t.TempDir(), opts...)
	if err != nil {
		t.Fatalf("gittest: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// ServeRepo makes a bare clone of repo under root and serves it; the caller
// closes the server.
func ServeRepo(repo *Repo, root string, opts ...Option) (*Server, error) {
	o := options(opts)
	bare := filepath.Join(root, o.Name)
	if _, err := runGit("", Env(), "clone", "-q", "--bare", repo.Dir(), bare); err != nil {
		return nil, fmt.Errorf("gittest: bare clone of %s: %w", repo.Dir(), err)
	}
	srv, err := StartServer(bare, opts...)
	if err != nil {
		return nil, err
	}
	if err := repo.setOrigin(srv); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("gittest: set origin of %s: %w", repo.Dir(), err)
	}
	return srv, nil
}

// StartServer serves the bare repository bareDir (and its sibling
// repositories) on a free port of 127.0.0.1 until Close.
func StartServer(bareDir string, opts ...Option) (*Server, error) {
	backend, err := execPath()
	if err != nil {
		return nil, fmt.Errorf("gittest: find git-http-backend: %w", err)
	}
	abs, err := filepath.Abs(bareDir)
	if err != nil {
		return nil, fmt.Errorf("gittest: %w", err)
	}
	s := &Server{opts: options(opts), root: filepath.Dir(abs), name: filepath.Base(abs)}
	s.handler = s.authorize(&cgi.Handler{
		Path:   filepath.Join(backend, "git-http-backend"),
		Root:   "/",
		Env:    backendEnv(s.root),
		Logger: log.New(io.Discard, "", 0),
		Stderr: io.Discard,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("gittest: listen: %w", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	return s, nil
}

func options(opts []Option) Options {
	o := Options{Name: "repo.git"}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// backendEnv is git http-backend's environment: export everything under
// root, allow push and fetching any reachable commit.
func backendEnv(root string) []string {
	return []string{
		"GIT_PROJECT_ROOT=" + root,
		"GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME=" + os.TempDir(),
		"GIT_CONFIG_COUNT=3",
		"GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true",
		"GIT_CONFIG_KEY_1=uploadpack.allowReachableSHA1InWant", "GIT_CONFIG_VALUE_1=true",
		"GIT_CONFIG_KEY_2=safe.directory", "GIT_CONFIG_VALUE_2=*",
	}
}

// authorize counts requests and bytes and checks basic auth.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.opts.Username != "" || s.opts.Password != "" {
			user, pass, ok := r.BasicAuth()
			if !ok || !equal(user, s.opts.Username) || !equal(pass, s.opts.Password) {
				w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &s.bytes}, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Flush lets git http-backend stream.
func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// URL returns the served repository's URL, http://127.0.0.1:PORT/NAME.
func (s *Server) URL() string { return "http://" + s.addr + "/" + s.name }

// RepoURL returns the URL of another bare repository under the same root.
func (s *Server) RepoURL(name string) string { return "http://" + s.addr + "/" + name }

// Addr returns host:port.
func (s *Server) Addr() string { return s.addr }

// BareDir returns the served bare repository's directory.
func (s *Server) BareDir() string { return filepath.Join(s.root, s.name) }

// Requests returns how many HTTP requests the server has received,
// including refused ones.
func (s *Server) Requests() int64 { return s.requests.Load() }

// BytesServed returns how many response body bytes git http-backend has
// sent: a clone sends the whole pack, an up-to-date fetch almost nothing.
func (s *Server) BytesServed() int64 { return s.bytes.Load() }

// Stop closes the listener and every connection: the URL refuses
// connections until Start.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.srv = nil
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Start serves again on the same address after Stop.
func (s *Server) Start() error {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			s.serve(ln)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("gittest: listen again on %s: %w", s.addr, err)
}

// Close stops the server for good.
func (s *Server) Close() error { return s.Stop() }

// String describes the server.
func (s *Server) String() string {
	return fmt.Sprintf("gittest.Server(%s)", strings.TrimPrefix(s.URL(), "http://"))
}
