package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store/sqlite"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingStore counts the writes of a real store.
type countingStore struct {
	*sqlite.DB
	touches atomic.Int32
}

func (s *countingStore) TouchToken(ctx context.Context, id string, at time.Time) error {
	s.touches.Add(1)
	return s.DB.TouchToken(ctx, id, at)
}

// openDB opens a real SQLite store in a temp dir.
func openDB(t *testing.T, c *clock) *countingStore {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plumb.db"), sqlite.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &countingStore{DB: db}
}

// create issues and stores a token, returning its record and plaintext.
func create(t *testing.T, s *countingStore, c *clock, spec token.Spec) (token.Token, string) {
	t.Helper()
	tok, plain, err := token.Issue(spec, c.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return tok, plain
}

// request returns a request with the given Authorization header ("" for
// none).
func request(authz string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/apps", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	return r
}
