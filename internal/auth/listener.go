package auth

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
)

// Store is what ForListener needs: the tokens, and whether there are any.
type Store interface {
	TokenStore
	// ListTokens returns every token, revoked and expired ones included.
	ListTokens(ctx context.Context) ([]token.Token, error)
}

// NoTokensError is returned by ForListener for a daemon that would serve
// beyond this host while no token exists: anyone who can reach it would
// be admin.
type NoTokensError struct {
	Addr string
}

// Error says why the daemon refuses to start and how to fix it.
func (e *NoTokensError) Error() string {
	return fmt.Sprintf("the API would listen on %s, beyond this host, and no API token exists: "+
		"create an admin token first (plumb token create NAME --role admin --local --state DIR) "+
		"or listen on a loopback address such as 127.0.0.1", e.Addr)
}

// ForListener returns the authenticator for an API listening on addr. Once
// any token has been created (revoked ones count), every caller needs a
// token. Before that, a daemon on a loopback address (or a unix socket)
// treats callers as the local admin until the first token is created, and
// any other daemon refuses to start with a *NoTokensError.
//
// Pass the address the listener really has ("127.0.0.1:7070", a URL like
// "http://127.0.0.1:7070", or "unix:///run/plumb.sock"): host names are
// not resolved, so "localhost:7070" does not count as loopback, and a bare
// relative socket path is not recognised.
func ForListener(ctx context.Context, addr string, s Store, opts ...Option) (api.Authenticator, error) {
	list, err := s.ListTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("authentication for %s: %w", addr, err)
	}
	tokens := New(s, opts...)
	if len(list) > 0 {
		return tokens, nil
	}
	if !IsLoopback(addr) {
		return nil, &NoTokensError{Addr: addr}
	}
	return &bootstrap{store: s, tokens: tokens}, nil
}

// bootstrap is the local admin until the first token exists, then the
// token authenticator for good.
type bootstrap struct {
	store     Store
	tokens    *Authenticator
	hasTokens atomic.Bool
}

// Authenticate returns the local admin while the store holds no token.
func (b *bootstrap) Authenticate(r *http.Request) (api.Principal, error) {
	if !b.hasTokens.Load() {
		list, err := b.store.ListTokens(r.Context())
		if err != nil {
			return api.Principal{}, deny("list tokens: %w", err)
		}
		if len(list) == 0 {
			return api.LocalAuth{}.Authenticate(r)
		}
		b.hasTokens.Store(true)
	}
	return b.tokens.Authenticate(r)
}

// IsLoopback reports whether addr (host:port, an IP, an http(s):// URL, or
// a unix socket path or unix:// URL) can only be reached from this host.
func IsLoopback(addr string) bool {
	if strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "@") {
		return true
	}
	if _, rest, ok := strings.Cut(addr, "://"); ok {
		addr, _, _ = strings.Cut(rest, "/")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.Trim(addr, "[]")
	}
	if i := strings.IndexByte(host, '%'); i >= 0 { // zone
		host = host[:i]
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
