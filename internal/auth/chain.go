package auth

import (
	"errors"
	"net/http"

	"plumb.dev/plumb/internal/api"
)

// Chain tries authenticators in order: the first that identifies the
// caller wins. One that finds no credential it understands (ErrNoCredential)
// passes the request on; any other error ends the chain, so that a revoked
// plumb token is never handed to the next authenticator. This is where an
// OIDC authenticator joins the tokens later.
type Chain []api.Authenticator

var _ api.Authenticator = Chain(nil)

// Authenticate returns the principal of the first authenticator that
// knows the caller, or the first authenticator's error when none does.
func (c Chain) Authenticate(r *http.Request) (api.Principal, error) {
	var first error
	for _, a := range c {
		p, err := a.Authenticate(r)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, ErrNoCredential) {
			return api.Principal{}, err
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = ErrNoCredential
	}
	return api.Principal{}, first
}
