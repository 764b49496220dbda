// Package auth identifies callers of plumb's API. Authenticator checks
// plumb's bearer tokens (see package token) against a TokenStore; Chain
// tries several authenticators in turn, which leaves room for more kinds
// (OIDC) beside tokens; ForListener encodes the bootstrap rule: a daemon
// with no tokens yet serves its local admin only on a loopback address.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
	"plumb.dev/plumb/internal/store"
)

// ErrNoCredential is returned (wrapped) by an authenticator that finds no
// credential it understands in a request; Chain then asks the next one.
// It wraps api.ErrUnauthenticated.
var ErrNoCredential error = &denied{msg: `no credential (send "Authorization: Bearer plumb_...")`}

// denied is an authentication failure: it wraps api.ErrUnauthenticated
// (and its cause, if any) without repeating "unauthenticated", which the
// API already prints.
type denied struct {
	msg   string
	cause error
}

func (e *denied) Error() string { return e.msg }

func (e *denied) Unwrap() []error {
	if e.cause == nil {
		return []error{api.ErrUnauthenticated}
	}
	return []error{api.ErrUnauthenticated, e.cause}
}

// deny returns a *denied error; %w in format names its cause.
func deny(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &denied{msg: err.Error(), cause: errors.Unwrap(err)}
}

// TokenStore is what the Authenticator reads and updates.
type TokenStore interface {
	// GetToken returns a token by ID, or an error wrapping
	// store.ErrNotFound.
	GetToken(ctx context.Context, id string) (token.Token, error)
	// TouchToken records that a token was used at `at`.
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// DefaultTouchInterval is how stale a token's last-used time may get
// before a request writes it again.
const DefaultTouchInterval = time.Minute

// Authenticator checks plumb bearer tokens. It implements
// api.Authenticator and is safe for concurrent use.
type Authenticator struct {
	store      TokenStore
	now        func() time.Time
	touchEvery time.Duration

	mu      sync.Mutex
	touched map[string]time.Time // token ID -> last-used time written
}

var _ api.Authenticator = (*Authenticator)(nil)

// Option configures an Authenticator.
type Option func(*Authenticator)

// WithClock makes the authenticator read the time from now (tests).
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// WithTouchInterval sets how often a token's last-used time is written
// (default DefaultTouchInterval).
func WithTouchInterval(d time.Duration) Option { return func(a *Authenticator) { a.touchEvery = d } }

// New returns an authenticator of the tokens in s.
func New(s TokenStore, opts ...Option) *Authenticator {
	a := &Authenticator{store: s, now: time.Now, touchEvery: DefaultTouchInterval, touched: map[string]time.Time{}}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Authenticate returns the principal of the request's bearer token. A
// request without a plumb token fails with ErrNoCredential; an unknown,
// wrong, expired or revoked token with another api.ErrUnauthenticated.
// Errors never hold the token's secret.
func (a *Authenticator) Authenticate(r *http.Request) (api.Principal, error) {
	id, secret, err := bearer(r)
	if err != nil {
		return api.Principal{}, err
	}
	t, err := a.check(r.Context(), id, secret)
	if err != nil {
		return api.Principal{}, err
	}
	role, err := api.ParseRole(t.Role)
	if err != nil {
		return api.Principal{}, deny("token %s: %w", id, err)
	}
	a.touch(r.Context(), t)
	return api.Principal{Name: t.Name, Role: role, Apps: t.Apps}, nil
}

// bearer reads a plumb token from the Authorization header.
func bearer(r *http.Request) (id, secret string, err error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "", ErrNoCredential
	}
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", "", fmt.Errorf("%w: Authorization scheme %q is not Bearer", ErrNoCredential, truncate(scheme))
	}
	id, secret, err = token.Parse(strings.TrimSpace(cred))
	if err != nil {
		return "", "", fmt.Errorf("%w: bearer token: %w", ErrNoCredential, err)
	}
	return id, secret, nil
}

// check finds the token and verifies its secret and state.
func (a *Authenticator) check(ctx context.Context, id, secret string) (token.Token, error) {
	t, err := a.store.GetToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, deny("unknown token %s", id)
	}
	if err != nil {
		return t, deny("look up token %s: %w", id, err)
	}
	if !t.Verify(secret) {
		return t, deny("wrong secret for token %s", id)
	}
	switch t.State(a.now()) {
	case token.StateRevoked:
		return t, deny("token %s was revoked", id)
	case token.StateExpired:
		return t, deny("token %s expired at %s", id, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// touch writes the token's last-used time when what the store has is
// older than the touch interval, so that busy tokens cost one write a
// minute, not one per request. A failed write is retried next time.
func (a *Authenticator) touch(ctx context.Context, t token.Token) {
	now := a.now()
	a.mu.Lock()
	last := a.touched[t.ID]
	if t.LastUsedAt.After(last) {
		last = t.LastUsedAt
	}
	due := now.Sub(last) >= a.touchEvery
	if due {
		a.touched[t.ID] = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	if err := a.store.TouchToken(context.WithoutCancel(ctx), t.ID, now); err != nil {
		a.mu.Lock()
		a.touched[t.ID] = last
		a.mu.Unlock()
	}
}

// truncate shortens values echoed in errors.
func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
