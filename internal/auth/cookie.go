package auth

import (
	"net/http"

	"plumb.dev/plumb/internal/api"
	"plumb.dev/plumb/internal/auth/token"
)

// CSRFHeader must accompany every request authenticated by the session
// cookie that may change something. A page of another site cannot make a
// browser send a custom header to this daemon (that needs a CORS
// preflight the API never grants), so the header proves the request comes
// from the dashboard itself.
const CSRFHeader = "X-Plumb-CSRF"

// Cookie authenticates the dashboard's session cookie (api.SessionCookie),
// whose value is a plumb token: it hands the token to Tokens as if it came
// in an Authorization header, so that revoked or expired tokens end the
// session at once. A cookie that is not a plumb token fails and ends the
// chain, like a wrong one. A request without the cookie fails with
// ErrNoCredential, so Cookie sits in a Chain after the bearer
// authenticator. Requests that may change something (any method but GET,
// HEAD and OPTIONS) also need the CSRFHeader.
type Cookie struct {
	Tokens api.Authenticator
}

var _ api.Authenticator = Cookie{}

// Authenticate returns the principal of the session cookie's token.
func (c Cookie) Authenticate(r *http.Request) (api.Principal, error) {
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil || ck.Value == "" {
		return api.Principal{}, ErrNoCredential
	}
	if !safeMethod(r.Method) && r.Header.Get(CSRFHeader) == "" {
		return api.Principal{}, deny("session cookie: %s %s needs the %s header (was this request made by another site?)",
			r.Method, r.URL.Path, CSRFHeader)
	}
	if _, _, err := token.Parse(ck.Value); err != nil {
		return api.Principal{}, deny("session cookie: %w", err)
	}
	withBearer := r.WithContext(r.Context()) // a shallow copy with its own header
	withBearer.Header = r.Header.Clone()
	withBearer.Header.Set("Authorization", "Bearer "+ck.Value)
	p, err := c.Tokens.Authenticate(withBearer)
	if err != nil {
		return api.Principal{}, deny("session cookie: %w", err)
	}
	return p, nil
}

// safeMethod reports whether method only reads.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
