package api

import (
	"context"
	"net/http"
	"net/url"
)

// CreateToken asks the daemon for a new token; the answer holds the
// plaintext token, which the daemon shows this once.
func (c *Client) CreateToken(ctx context.Context, req TokenRequest) (NewToken, error) {
	var out NewToken
	return out, c.do(ctx, http.MethodPost, "/api/v1/tokens", req, &out)
}

// Tokens lists every token, revoked and expired ones included.
func (c *Client) Tokens(ctx context.Context) ([]TokenInfo, error) {
	var out []TokenInfo
	return out, c.do(ctx, http.MethodGet, "/api/v1/tokens", nil, &out)
}

// RevokeToken revokes the token with the given ID at once.
func (c *Client) RevokeToken(ctx context.Context, id string) (TokenInfo, error) {
	var out TokenInfo
	return out, c.do(ctx, http.MethodDelete, "/api/v1/tokens/"+url.PathEscape(id), nil, &out)
}
