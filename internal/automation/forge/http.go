package forge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTPDoer sends requests (an *http.Client).
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// api is one forge's REST API root and token.
type api struct {
	client HTTPDoer
	base   *url.URL
	token  tokenFile
	name   string
}

func newAPI(client HTTPDoer, base *url.URL, token tokenFile, name string) *api {
	if client == nil {
		client = http.DefaultClient
	}
	if c, ok := client.(*http.Client); ok {
		cp := *c
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &cp
	}
	return &api{client: client, base: base, token: token, name: name}
}

// APIError is an error answer of a forge API.
type APIError struct {
	Forge  string
	Method string
	Path   string
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s %s: HTTP %d: %s", e.Forge, e.Method, e.Path, e.Status, e.Body)
}

// call sends one request (path with query, relative to the base) with the
// auth header set by auth, decodes a JSON answer into out and returns the
// response headers.
func (a *api) call(ctx context.Context, method, path string, body, out any, auth func(h http.Header, token string)) (http.Header, error) {
	tok, err := a.token.read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := a.base.String() + path
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %s", a.name, scrub(err.Error(), tok))
	}
	auth(req.Header, tok)
	req.Header.Set("User-Agent", "plumb-automation/1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %s", a.name, method, pathOnly(path), scrub(err.Error(), tok))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		msg := strings.Join(strings.Fields(scrub(string(data), tok)), " ")
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return resp.Header, &APIError{Forge: a.name, Method: method, Path: pathOnly(path), Status: resp.StatusCode, Body: msg}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.Header, fmt.Errorf("%s: %s %s: decode answer: %w", a.name, method, pathOnly(path), err)
		}
	}
	return resp.Header, nil
}

// pathOnly drops the query.
func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return p
}

func scrub(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

// maxPages bounds pagination (100 items a page).
const maxPages = 100
