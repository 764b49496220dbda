// Package forgetest fakes the GitHub and GitLab REST endpoints plumb's
// automation uses, with their exact paths, headers, JSON shapes and
// pagination (GitHub's Link header, GitLab's X-Next-Page), so that tests
// list pull requests, set statuses and comment against an httptest server.
// Both fakes require their token, record every request, and can be made
// to fail.
package forgetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// PR is a pull (merge) request the fake serves.
type PR struct {
	Number int
	Title  string
	Branch string
	SHA    string
	Base   string
	Labels []string
	// Fork says the head lives in another repository.
	Fork bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // escaped path
	Query  string
	Header http.Header
	Body   string
}

// Server is a fake forge.
type Server struct {
	// URL is the API base URL to configure (GitHub: the REST root;
	// GitLab: the server root under which /api/v4 lives).
	URL   string
	token string
	repo  string

	mu       sync.Mutex
	prs      []PR
	fail     int // HTTP status to fail with, 0 for none
	pageSize int
	requests []Request
	comments map[int][]comment
	nextID   int64
	statuses map[string][]map[string]any
}

type comment struct {
	ID   int64
	Body string
}

func newServer(t testing.TB, token, repo string, h func(s *Server, w http.ResponseWriter, r *http.Request, body []byte)) *Server {
	s := &Server{token: token, repo: repo, comments: map[int][]comment{}, statuses: map[string][]map[string]any{}, pageSize: 100}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		fail := s.fail
		s.mu.Unlock()
		if fail != 0 {
			http.Error(w, `{"message":"fake forge failure"}`, fail)
			return
		}
		h(s, w, r, body)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// SetPRs replaces the open pull requests.
func (s *Server) SetPRs(prs ...PR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs = slices.Clone(prs)
}

// Fail makes every request answer status (0 to stop failing).
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = status
}

// SetPageSize caps every page (to exercise pagination).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Requests returns the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Comments returns the bodies of a pull request's comments.
func (s *Server) Comments(number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.comments[number] {
		out = append(out, c.Body)
	}
	return out
}

// Statuses returns the status bodies posted for sha, decoded.
func (s *Server) Statuses(sha string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses[sha])
}

// page returns the items of page (1-based) and whether there are more.
func page[T any](items []T, query string, size int) ([]T, int, bool) {
	q := parseQuery(query)
	p, _ := strconv.Atoi(q["page"])
	if p < 1 {
		p = 1
	}
	if n, _ := strconv.Atoi(q["per_page"]); n > 0 && n < size {
		size = n
	}
	start := min((p-1)*size, len(items))
	end := min(start+size, len(items))
	return items[start:end], p, end < len(items)
}

func parseQuery(q string) map[string]string {
	out := map[string]string{}
	for kv := range strings.SplitSeq(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": fmt.Sprintf("no route %s %s", r.Method, r.URL.EscapedPath())})
}
